import { z } from 'zod';
import {
  parseConfig,
  portSchema,
  sharedEnvSchema,
  toPlatformOptions,
  type PlatformOptions,
} from '../../../lib/config';

const intelligenceEnvSchema = sharedEnvSchema.extend({
  INTELLIGENCE_PORT: portSchema(4002),
  HOST: z.string().default('127.0.0.1'),
});

/** Options of the intelligence role. */
export interface IntelligenceOptions {
  platform: PlatformOptions;
  port: number;
  host: string;
}

/** Parses and validates the intelligence subgraph's environment once at start-up. */
export function intelligenceOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): IntelligenceOptions {
  const parsed = parseConfig(intelligenceEnvSchema, env);
  return { platform: toPlatformOptions(parsed), port: parsed.INTELLIGENCE_PORT, host: parsed.HOST };
}
