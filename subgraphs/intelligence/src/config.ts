import type { mongo } from 'mongoose';
import { z } from 'zod';
import {
  parseConfig,
  portSchema,
  sharedEnvSchema,
  subgraphGatewaySecret,
  subgraphSecurityEnvShape,
  toPlatformOptions,
  type PlatformOptions,
} from '../../../lib/config';

const intelligenceEnvSchema = sharedEnvSchema.extend({
  ...subgraphSecurityEnvShape,
  INTELLIGENCE_PORT: portSchema(4002),
  HOST: z.string().default('127.0.0.1'),
  /** Group id of the live projector. Default: `<topic prefix>intelligence-projector`. */
  INTELLIGENCE_GROUP_ID: z.string().min(1).optional(),
  /** Keys the projector handles at once within one partition. */
  CONSUMER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(16),
  /** Handler attempts before an event is dead-lettered as poison. */
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** How long processed event ids are remembered for dedup. */
  DEDUP_TTL_HOURS: z.coerce.number().positive().default(24),
});

/** Options of the live read-model projector. */
export interface ProjectorOptions {
  /** Its consumer group. @default `<topic prefix>intelligence-projector` */
  groupId: string;
  /** Keys handled at once within one partition. @default 16 */
  maxInFlightPerPartition: number;
  /** Handler attempts before dead-lettering. @default 5 */
  maxAttempts: number;
  /** Dedup window. @default 24 h */
  dedupTtlMs: number;
}

/** Options of the intelligence role. */
export interface IntelligenceOptions {
  platform: PlatformOptions;
  /** Only requests signed by the gateway with this secret are served (required in production). */
  gatewaySecret?: string;
  port: number;
  host: string;
  /** The live projector (this role is the single writer of its read model). */
  projector: ProjectorOptions;
  /** Observes every MongoDB command (driver command monitoring); tests count round trips with it. */
  onCommand?: (event: mongo.CommandStartedEvent) => void;
}

/** Parses and validates the intelligence subgraph's environment once at start-up. */
export function intelligenceOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): IntelligenceOptions {
  const parsed = parseConfig(intelligenceEnvSchema, env);
  return {
    platform: toPlatformOptions(parsed),
    gatewaySecret: subgraphGatewaySecret(parsed),
    port: parsed.INTELLIGENCE_PORT,
    host: parsed.HOST,
    projector: {
      groupId: parsed.INTELLIGENCE_GROUP_ID ?? `${parsed.KAFKA_TOPIC_PREFIX}intelligence-projector`,
      maxInFlightPerPartition: parsed.CONSUMER_MAX_IN_FLIGHT,
      maxAttempts: parsed.CONSUMER_MAX_ATTEMPTS,
      dedupTtlMs: parsed.DEDUP_TTL_HOURS * 60 * 60 * 1000,
    },
  };
}
