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

const consumersEnvSchema = sharedEnvSchema.extend({
  ...subgraphSecurityEnvShape,
  CONSUMERS_PORT: portSchema(4010),
  HOST: z.string().default('127.0.0.1'),
});

/** Options of the consumers role. */
export interface ConsumersOptions {
  platform: PlatformOptions;
  /** Only requests signed by the gateway with this secret are served (required in production). */
  gatewaySecret?: string;
  /** Port of the health/metrics endpoint. */
  port: number;
  host: string;
}

/** Parses and validates the consumers' environment once at start-up. */
export function consumersOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): ConsumersOptions {
  const parsed = parseConfig(consumersEnvSchema, env);
  return {
    platform: toPlatformOptions(parsed),
    gatewaySecret: subgraphGatewaySecret(parsed),
    port: parsed.CONSUMERS_PORT,
    host: parsed.HOST,
  };
}
