import type { mongo } from 'mongoose';
import { z } from 'zod';
import {
  booleanFlag,
  parseConfig,
  portSchema,
  sharedEnvSchema,
  subgraphGatewaySecret,
  subgraphSecurityEnvShape,
  toPlatformOptions,
  type PlatformOptions,
} from '../../../lib/config';

const registryEnvSchema = sharedEnvSchema.extend({
  ...subgraphSecurityEnvShape,
  REGISTRY_PORT: portSchema(4001),
  HOST: z.string().default('127.0.0.1'),
  /** Consume the registry's commands from workflow runs (register, update, validate). */
  REGISTRY_COMMANDS_ENABLED: booleanFlag.default(true),
  /** Group of the registry's command consumer. Default: `<topic prefix>registry-commands`. */
  REGISTRY_COMMANDS_GROUP_ID: z.string().min(1).optional(),
});

/** Options of the registry role. */
export interface RegistryOptions {
  platform: PlatformOptions;
  /** Only requests signed by the gateway with this secret are served (required in production). */
  gatewaySecret?: string;
  port: number;
  host: string;
  /** The consumer of the registry's commands; absent = not consumed by this process. */
  commands?: { groupId: string };
  /** Observes every MongoDB command (driver command monitoring); tests count round trips with it. */
  onCommand?: (event: mongo.CommandStartedEvent) => void;
}

/** Parses and validates the registry's environment once at start-up. */
export function registryOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): RegistryOptions {
  const parsed = parseConfig(registryEnvSchema, env);
  return {
    platform: toPlatformOptions(parsed),
    gatewaySecret: subgraphGatewaySecret(parsed),
    port: parsed.REGISTRY_PORT,
    host: parsed.HOST,
    ...(parsed.REGISTRY_COMMANDS_ENABLED && {
      commands: {
        groupId:
          parsed.REGISTRY_COMMANDS_GROUP_ID ?? `${parsed.KAFKA_TOPIC_PREFIX}registry-commands`,
      },
    }),
  };
}
