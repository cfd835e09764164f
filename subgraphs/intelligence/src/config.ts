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
  /** MongoDB connections of this role; 1 because FerretDB 1.x loses concurrent same-document updates. */
  MONGODB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(1),
  /** Group id of the live projector (hosted by the consumers role); sync reports its lag. */
  INTELLIGENCE_GROUP_ID: z.string().min(1).default('intelligence-projector'),
});

/** Options of the intelligence role. */
export interface IntelligenceOptions {
  platform: PlatformOptions;
  /** Only requests signed by the gateway with this secret are served (required in production). */
  gatewaySecret?: string;
  port: number;
  host: string;
  /**
   * MongoDB connection pool size. FerretDB 1.x (SQLite) loses concurrent updates of one document
   * made over different connections, which would break the outbox compare-and-set; one connection
   * serialises this process's commands. Raise it on real MongoDB. @default 1
   */
  mongoPoolSize?: number;
  /** Consumer group of the live projector. @default 'intelligence-projector' */
  liveGroupId: string;
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
    mongoPoolSize: parsed.MONGODB_POOL_SIZE,
    liveGroupId: parsed.INTELLIGENCE_GROUP_ID,
  };
}
