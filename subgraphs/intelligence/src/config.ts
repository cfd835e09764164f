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
  /** Group id of the live projector (hosted by the consumers role); sync reports its lag. Default: `<topic prefix>intelligence-projector`. */
  INTELLIGENCE_GROUP_ID: z.string().min(1).optional(),
});

/** Options of the intelligence role. */
export interface IntelligenceOptions {
  platform: PlatformOptions;
  /** Only requests signed by the gateway with this secret are served (required in production). */
  gatewaySecret?: string;
  port: number;
  host: string;
  /** Consumer group of the live projector. @default `<topic prefix>intelligence-projector` */
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
    liveGroupId:
      parsed.INTELLIGENCE_GROUP_ID ?? `${parsed.KAFKA_TOPIC_PREFIX}intelligence-projector`,
  };
}
