import type { mongo } from 'mongoose';
import { z } from 'zod';
import {
  parseConfig,
  portSchema,
  sharedEnvSchema,
  toPlatformOptions,
  type PlatformOptions,
} from '../../../lib/config';

const registryEnvSchema = sharedEnvSchema.extend({
  REGISTRY_PORT: portSchema(4001),
  HOST: z.string().default('127.0.0.1'),
});

/** Options of the registry role. */
export interface RegistryOptions {
  platform: PlatformOptions;
  port: number;
  host: string;
  /** Observes every MongoDB command (driver command monitoring); tests count round trips with it. */
  onCommand?: (event: mongo.CommandStartedEvent) => void;
}

/** Parses and validates the registry's environment once at start-up. */
export function registryOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): RegistryOptions {
  const parsed = parseConfig(registryEnvSchema, env);
  return { platform: toPlatformOptions(parsed), port: parsed.REGISTRY_PORT, host: parsed.HOST };
}
