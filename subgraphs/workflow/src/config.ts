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
import { defaultPendingSignalOptions, type PendingSignalOptions } from './engine/pendingSignals';

const workflowEnvSchema = sharedEnvSchema.extend({
  ...subgraphSecurityEnvShape,
  WORKFLOW_PORT: portSchema(4003),
  HOST: z.string().default('127.0.0.1'),
  /** Runs the engine (consumer, timers, cron) inside this role. */
  WORKFLOW_ENGINE_ENABLED: booleanFlag.default(true),
  /** Consumer group shared by all engine instances. Default: `<topic prefix>workflow-engine`. */
  WORKFLOW_ENGINE_GROUP_ID: z.string().min(1).optional(),
  WORKFLOW_TIMER_INTERVAL_MS: z.coerce.number().int().min(50).default(500),
  WORKFLOW_SCHEDULE_INTERVAL_MS: z.coerce.number().int().min(100).default(1000),
  /** How long a signal that arrived before its step waits for it (ms). */
  WORKFLOW_SIGNAL_TTL_MS: z.coerce.number().int().min(1).default(defaultPendingSignalOptions.ttlMs),
  /** Secret of the `default` webhook signing key (HMAC-SHA256). */
  WORKFLOW_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Registers the `test.echo` / `test.fail` actions (tests and demos only). */
  WORKFLOW_TEST_ACTIONS: booleanFlag.default(false),
});

/** Options of the workflow engine hosted by the workflow role. */
export interface WorkflowEngineSettings {
  /** @default true */
  enabled: boolean;
  groupId: string;
  /** @default 500 */
  timerIntervalMs: number;
  /** @default 1000 */
  scheduleIntervalMs: number;
}

/** Options of the workflow role. */
export interface WorkflowOptions {
  platform: PlatformOptions;
  /** Only requests signed by the gateway with this secret are served (required in production). */
  gatewaySecret?: string;
  port: number;
  host: string;
  engine: WorkflowEngineSettings;
  /** Webhook signing secrets by name (`default` from WORKFLOW_WEBHOOK_SECRET). */
  webhookSecrets: Record<string, string>;
  /** Registers `test.echo` and `test.fail`. @default false */
  testActions: boolean;
  /** Signals kept for runs not yet waiting for them (`ttlMs` from WORKFLOW_SIGNAL_TTL_MS). */
  pendingSignals: PendingSignalOptions;
}

/** Parses and validates the workflow subgraph's environment once at start-up. */
export function workflowOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): WorkflowOptions {
  const parsed = parseConfig(workflowEnvSchema, env);
  return {
    platform: toPlatformOptions(parsed),
    gatewaySecret: subgraphGatewaySecret(parsed),
    port: parsed.WORKFLOW_PORT,
    host: parsed.HOST,
    engine: {
      enabled: parsed.WORKFLOW_ENGINE_ENABLED,
      groupId: parsed.WORKFLOW_ENGINE_GROUP_ID ?? `${parsed.KAFKA_TOPIC_PREFIX}workflow-engine`,
      timerIntervalMs: parsed.WORKFLOW_TIMER_INTERVAL_MS,
      scheduleIntervalMs: parsed.WORKFLOW_SCHEDULE_INTERVAL_MS,
    },
    webhookSecrets: parsed.WORKFLOW_WEBHOOK_SECRET
      ? { default: parsed.WORKFLOW_WEBHOOK_SECRET }
      : {},
    testActions: parsed.WORKFLOW_TEST_ACTIONS,
    pendingSignals: { ...defaultPendingSignalOptions, ttlMs: parsed.WORKFLOW_SIGNAL_TTL_MS },
  };
}
