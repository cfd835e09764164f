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
import { scriptFoldersSchema } from './actions/script/scriptFoldersSchema';
import { defaultAiActionOptions, type AiActionOptions } from './actions/ai';
import type { IntelligenceContextOptions } from './actions/ai/intelligenceContextSource';
import {
  defaultWebhookRetryOptions,
  type WebhookRetryOptions,
} from './actions/webhook/webhookRetryOptions';
import {
  defaultBreakerOptions,
  defaultHostRateLimiterOptions,
  parseHostRates,
  parseRate,
  type BreakerOptions,
  type HostRateLimiterOptions,
} from '../../../lib/resilience';

/** Deadline of one project-context read: a prompt waits for it. */
const INTELLIGENCE_TIMEOUT_MS = 5000;
import {
  DEFAULT_PLUGINS_FILE,
  readPluginSettings,
  type PluginEntry,
} from './plugins/pluginSettings';
import { readWebhookSources, type WebhookSource } from './webhooks/webhookSources';

/** An API key variable: unset or empty means "not configured". */
const apiKey = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined);
const { anthropic, gemini } = defaultAiActionOptions.providers;

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
  /** `webhook.call` HTTP attempts per step execution (docs/resilience.md, "Workflow role"). */
  WORKFLOW_WEBHOOK_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(defaultWebhookRetryOptions.attempts),
  WORKFLOW_WEBHOOK_BACKOFF_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(defaultWebhookRetryOptions.backoffMs),
  WORKFLOW_WEBHOOK_MAX_BACKOFF_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(defaultWebhookRetryOptions.maxBackoffMs),
  /** Circuit breakers of outbound calls (webhook hosts, AI providers). */
  WORKFLOW_BREAKER_ERROR_PERCENT: z.coerce
    .number()
    .min(0)
    .max(100)
    .default(defaultBreakerOptions.errorThresholdPercentage),
  WORKFLOW_BREAKER_VOLUME: z.coerce
    .number()
    .int()
    .min(0)
    .default(defaultBreakerOptions.volumeThreshold),
  WORKFLOW_BREAKER_RESET_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(defaultBreakerOptions.resetTimeoutMs),
  WORKFLOW_BREAKER_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(defaultBreakerOptions.rollingCountTimeoutMs),
  /** Outbound token bucket of every host: `points/seconds` (or `points`, per second). */
  WORKFLOW_OUTBOUND_RATE: z
    .string()
    .default(
      `${defaultHostRateLimiterOptions.defaultRate.points}/${defaultHostRateLimiterOptions.defaultRate.durationSec}`,
    )
    .transform((text, ctx) => {
      try {
        return parseRate(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Per-host buckets overriding it: `host=points/seconds,…`. */
  WORKFLOW_OUTBOUND_HOST_RATES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseHostRates(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Longest pause a host's Retry-After / X-RateLimit-Reset may impose (ms). */
  WORKFLOW_OUTBOUND_MAX_PAUSE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(defaultHostRateLimiterOptions.maxPauseMs),
  /** Registers the `test.echo` / `test.fail` actions (tests and demos only). */
  WORKFLOW_TEST_ACTIONS: booleanFlag.default(false),
  /** Folders `script.run` takes scripts from (comma-separated). Default: `<repository>/workers/scripts`. */
  WORKFLOW_SCRIPT_FOLDERS: scriptFoldersSchema,
  /** Plugin settings (YAML or JSON, docs/plugins.md); empty: no plugins. Default: `<repository>/plugins/plugins.yaml`. */
  WORKFLOW_PLUGINS_FILE: z.string().default(DEFAULT_PLUGINS_FILE),
  /** Inbound webhook sources (YAML or JSON, docs/webhooks.md); empty: none (every `/webhooks/*` is 404). */
  WORKFLOW_WEBHOOK_SOURCES_FILE: z.string().default(''),
  /** `ai.complete` (docs/workflow.md, "AI actions"): without a key a provider is NOT_CONFIGURED. */
  ANTHROPIC_API_KEY: apiKey,
  ANTHROPIC_MODEL: z.string().min(1).default(anthropic.model),
  ANTHROPIC_BASE_URL: z.url().default(anthropic.baseUrl),
  GEMINI_API_KEY: apiKey,
  GEMINI_MODEL: z.string().min(1).default(gemini.model),
  GEMINI_BASE_URL: z.url().default(gemini.baseUrl),
  /** Intelligence subgraph `enhance` reads a project's context from; empty disables. Default: `http://127.0.0.1:<INTELLIGENCE_PORT>/graphql`. */
  WORKFLOW_INTELLIGENCE_URL: z.union([z.url(), z.literal('')]).optional(),
  INTELLIGENCE_PORT: portSchema(4002),
  WORKFLOW_AI_PROVIDER: z
    .enum(['anthropic', 'gemini'])
    .default(defaultAiActionOptions.defaultProvider),
  WORKFLOW_AI_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(defaultAiActionOptions.requestTimeoutMs),
  WORKFLOW_AI_HTTP_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(defaultAiActionOptions.httpAttempts),
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
  /** Retries of `webhook.call` (WORKFLOW_WEBHOOK_*). @default defaultWebhookRetryOptions */
  webhookRetry: WebhookRetryOptions;
  /** Breakers of outbound calls (WORKFLOW_BREAKER_*). @default defaultBreakerOptions */
  breakers: BreakerOptions;
  /** Outbound token buckets per host (WORKFLOW_OUTBOUND_*). @default defaultHostRateLimiterOptions */
  outboundRates: HostRateLimiterOptions;
  /** Registers `test.echo` and `test.fail`. @default false */
  testActions: boolean;
  /** Signals kept for runs not yet waiting for them (`ttlMs` from WORKFLOW_SIGNAL_TTL_MS). */
  pendingSignals: PendingSignalOptions;
  /** Folders of `script.run` (WORKFLOW_SCRIPT_FOLDERS, absolute). @default [`<repository>/workers/scripts`] */
  scriptFolders: string[];
  /** Plugins to load (from WORKFLOW_PLUGINS_FILE). @default the repository's example plugin */
  plugins: PluginEntry[];
  /** Senders of inbound webhooks, `POST /webhooks/<name>` (from WORKFLOW_WEBHOOK_SOURCES_FILE). @default [] */
  webhookSources: WebhookSource[];
  /** Providers and retries of `ai.complete` (`defaultAiActionOptions` + the variables above). */
  ai: AiActionOptions;
  /** Where `enhance` reads a project's context (signed with `gatewaySecret`); absent: only a step's `context`. */
  intelligence?: Omit<IntelligenceContextOptions, 'gatewaySecret'>;
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
    webhookRetry: {
      attempts: parsed.WORKFLOW_WEBHOOK_ATTEMPTS,
      backoffMs: parsed.WORKFLOW_WEBHOOK_BACKOFF_MS,
      maxBackoffMs: parsed.WORKFLOW_WEBHOOK_MAX_BACKOFF_MS,
    },
    breakers: {
      errorThresholdPercentage: parsed.WORKFLOW_BREAKER_ERROR_PERCENT,
      volumeThreshold: parsed.WORKFLOW_BREAKER_VOLUME,
      resetTimeoutMs: parsed.WORKFLOW_BREAKER_RESET_MS,
      rollingCountTimeoutMs: parsed.WORKFLOW_BREAKER_WINDOW_MS,
    },
    outboundRates: {
      defaultRate: parsed.WORKFLOW_OUTBOUND_RATE,
      hosts: parsed.WORKFLOW_OUTBOUND_HOST_RATES,
      maxPauseMs: parsed.WORKFLOW_OUTBOUND_MAX_PAUSE_MS,
    },
    testActions: parsed.WORKFLOW_TEST_ACTIONS,
    pendingSignals: { ...defaultPendingSignalOptions, ttlMs: parsed.WORKFLOW_SIGNAL_TTL_MS },
    scriptFolders: parsed.WORKFLOW_SCRIPT_FOLDERS,
    plugins: parsed.WORKFLOW_PLUGINS_FILE ? readPluginSettings(parsed.WORKFLOW_PLUGINS_FILE) : [],
    // Secrets are named by variable in the file and read from this same environment.
    webhookSources: parsed.WORKFLOW_WEBHOOK_SOURCES_FILE
      ? readWebhookSources(parsed.WORKFLOW_WEBHOOK_SOURCES_FILE, env)
      : [],
    ...(parsed.WORKFLOW_INTELLIGENCE_URL !== '' && {
      intelligence: {
        url:
          parsed.WORKFLOW_INTELLIGENCE_URL ??
          `http://127.0.0.1:${parsed.INTELLIGENCE_PORT}/graphql`,
        timeoutMs: INTELLIGENCE_TIMEOUT_MS,
      },
    }),
    ai: {
      ...defaultAiActionOptions,
      providers: {
        anthropic: {
          apiKey: parsed.ANTHROPIC_API_KEY,
          model: parsed.ANTHROPIC_MODEL,
          baseUrl: parsed.ANTHROPIC_BASE_URL,
        },
        gemini: {
          apiKey: parsed.GEMINI_API_KEY,
          model: parsed.GEMINI_MODEL,
          baseUrl: parsed.GEMINI_BASE_URL,
        },
      },
      defaultProvider: parsed.WORKFLOW_AI_PROVIDER,
      requestTimeoutMs: parsed.WORKFLOW_AI_REQUEST_TIMEOUT_MS,
      httpAttempts: parsed.WORKFLOW_AI_HTTP_ATTEMPTS,
    },
  };
}
