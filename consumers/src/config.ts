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
  /** Group of the intelligence projector. Default: `<topic prefix>intelligence-projector`. */
  INTELLIGENCE_GROUP_ID: z.string().min(1).optional(),
  /** Keys handled at once within one partition. */
  CONSUMER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(16),
  /** Handler attempts before an event is dead-lettered as poison. */
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** How long processed event ids are remembered for dedup. */
  DEDUP_TTL_HOURS: z.coerce.number().positive().default(24),
});

/** Options of the consumers role. */
export interface ConsumersOptions {
  platform: PlatformOptions;
  /** Only requests signed by the gateway with this secret are served (required in production). */
  gatewaySecret?: string;
  /** Port of the health/metrics endpoint. */
  port: number;
  host: string;
  intelligenceGroupId: string;
  /** Keys handled at once within one partition. @default 16 */
  maxInFlightPerPartition: number;
  /** Handler attempts before dead-lettering. @default 5 */
  maxAttempts: number;
  /** Dedup window. @default 24 h */
  dedupTtlMs: number;
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
    intelligenceGroupId:
      parsed.INTELLIGENCE_GROUP_ID ?? `${parsed.KAFKA_TOPIC_PREFIX}intelligence-projector`,
    maxInFlightPerPartition: parsed.CONSUMER_MAX_IN_FLIGHT,
    maxAttempts: parsed.CONSUMER_MAX_ATTEMPTS,
    dedupTtlMs: parsed.DEDUP_TTL_HOURS * 60 * 60 * 1000,
  };
}
