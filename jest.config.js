/** Two projects: fast unit tests, and integration tests against real Kafka and MongoDB. */
const transform = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = {
  transform,
  setupFiles: ['<rootDir>/test/utils/setupEnv.ts'],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/test/unit/**/*.test.ts',
        '<rootDir>/{lib,gateway,subgraphs,operations}/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/test/integration/**/*.test.ts',
        '<rootDir>/test/e2e/**/*.test.ts',
        // Real chromium (test/utils/startBrowser.ts) against a real stack.
        '<rootDir>/test/browser/**/*.test.ts',
      ],
      globalSetup: '<rootDir>/test/utils/globalSetup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/utils/integrationTimeout.ts'],
    },
  ],
};
