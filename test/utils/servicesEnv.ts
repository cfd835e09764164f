import { randomBytes } from 'node:crypto';

/** A short random suffix for topic, group and database names, so suites can share one broker and server. */
export const uniqueSuffix = () => randomBytes(4).toString('hex');

/** Environment of a test stack: the real services from the environment, random names, any free ports. */
export function testEnv(
  overrides: Record<string, string> = {},
): Record<string, string | undefined> {
  const suffix = uniqueSuffix();
  return {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    KAFKA_TOPIC_PREFIX: `t${suffix}.`,
    MONGODB_DB_PREFIX: `t${suffix}_`,
    INTELLIGENCE_GROUP_ID: `t${suffix}-intelligence`,
    GATEWAY_PORT: '0',
    REGISTRY_PORT: '0',
    INTELLIGENCE_PORT: '0',
    WORKFLOW_PORT: '0',
    OPERATIONS_PORT: '0',
    ...overrides,
  };
}
