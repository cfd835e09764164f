export { parseConfig, ConfigError } from './parseConfig';
export { booleanFlag, sharedEnvSchema, portSchema, type SharedEnv } from './sharedEnv';
export { toPlatformOptions, type PlatformOptions } from './platformOptions';
export { subgraphSecurityEnvShape, subgraphGatewaySecret } from './subgraphSecurity';
