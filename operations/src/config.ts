import { z } from 'zod';
import {
  parseConfig,
  portSchema,
  sharedEnvSchema,
  subgraphGatewaySecret,
  subgraphSecurityEnvShape,
  toPlatformOptions,
  type PlatformOptions,
} from '../../lib/config';

const operationsEnvSchema = sharedEnvSchema.extend({
  ...subgraphSecurityEnvShape,
  OPERATIONS_PORT: portSchema(4010),
  HOST: z.string().default('127.0.0.1'),
});

/** Options of the operations role. */
export interface OperationsOptions {
  platform: PlatformOptions;
  /** Only requests signed by the gateway with this secret are served (required in production). */
  gatewaySecret?: string;
  /** Port of the health/metrics endpoint. */
  port: number;
  host: string;
}

/** Parses and validates the operations role's environment once at start-up. */
export function operationsOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): OperationsOptions {
  const parsed = parseConfig(operationsEnvSchema, env);
  return {
    platform: toPlatformOptions(parsed),
    gatewaySecret: subgraphGatewaySecret(parsed),
    port: parsed.OPERATIONS_PORT,
    host: parsed.HOST,
  };
}
