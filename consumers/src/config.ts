import { z } from 'zod';
import {
  parseConfig,
  portSchema,
  sharedEnvSchema,
  toPlatformOptions,
  type PlatformOptions,
} from '../../lib/config';

const consumersEnvSchema = sharedEnvSchema.extend({
  CONSUMERS_PORT: portSchema(4010),
  HOST: z.string().default('127.0.0.1'),
  INTELLIGENCE_GROUP_ID: z.string().min(1).default('intelligence-projector'),
});

/** Options of the consumers role. */
export interface ConsumersOptions {
  platform: PlatformOptions;
  /** Port of the health/metrics endpoint. */
  port: number;
  host: string;
  intelligenceGroupId: string;
}

/** Parses and validates the consumers' environment once at start-up. */
export function consumersOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): ConsumersOptions {
  const parsed = parseConfig(consumersEnvSchema, env);
  return {
    platform: toPlatformOptions(parsed),
    port: parsed.CONSUMERS_PORT,
    host: parsed.HOST,
    intelligenceGroupId: parsed.INTELLIGENCE_GROUP_ID,
  };
}
