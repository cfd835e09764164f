import type { OutboundGuard } from '../outboundGuard';

/** The providers `ai.complete` can call. */
export const AI_PROVIDERS = ['anthropic', 'gemini'] as const;
export type AiProviderName = (typeof AI_PROVIDERS)[number];

/** One provider's account: without `apiKey` its steps fail with `NOT_CONFIGURED`. */
export interface AiProviderSettings {
  /** ANTHROPIC_API_KEY / GEMINI_API_KEY; absent = not configured. */
  apiKey?: string;
  /** ANTHROPIC_MODEL / GEMINI_MODEL. */
  model: string;
  /** ANTHROPIC_BASE_URL / GEMINI_BASE_URL (no trailing slash needed). */
  baseUrl: string;
}

/**
 * Fetches a project's context (style, decisions, components used…) for `enhance`. The workflow
 * role reads it from the intelligence subgraph (`intelligenceContextSource.ts`,
 * WORKFLOW_INTELLIGENCE_URL); a step's own `context` input takes precedence.
 */
export type ProjectContextSource = (projectId: string, signal: AbortSignal) => Promise<unknown>;

/** Options of the `ai.complete` action. */
export interface AiActionOptions {
  providers: Record<AiProviderName, AiProviderSettings>;
  /** Provider of steps that do not name one. @default 'anthropic' */
  defaultProvider: AiProviderName;
  /** Deadline of one HTTP request (WORKFLOW_AI_REQUEST_TIMEOUT_MS). @default 60000 */
  requestTimeoutMs: number;
  /** HTTP attempts per completion for 429, 5xx, network errors and timeouts. @default 3 */
  httpAttempts: number;
  /** First backoff between HTTP attempts, doubled each time, with jitter. @default 500 */
  backoffMs: number;
  /** Cap of one backoff. @default 8000 */
  maxBackoffMs: number;
  /** Longest `Retry-After` honoured; a longer one fails the attempt at once (retriable). @default 30000 */
  maxRetryAfterMs: number;
  /** Completions per step when `validate` is given and the output does not match. @default 3 */
  validateAttempts: number;
  /** `max_tokens` / `maxOutputTokens` of steps that do not give `maxTokens`. @default 1024 */
  maxTokens: number;
  /** Longest project context put into a prompt (characters of its JSON). @default 20000 */
  maxContextChars: number;
  /** See {@link ProjectContextSource}. @default undefined */
  projectContext?: ProjectContextSource;
  /** Timeout of the whole action (all attempts). @default 180000 */
  actionTimeoutMs: number;
  /** Breaker per provider (`ai:<provider>`) and token bucket per provider host. @default none */
  guard?: OutboundGuard;
}

/** Defaults of {@link AiActionOptions}; no keys, so every provider is `NOT_CONFIGURED`. */
export const defaultAiActionOptions = {
  providers: {
    anthropic: { model: 'claude-sonnet-4-5', baseUrl: 'https://api.anthropic.com' },
    gemini: { model: 'gemini-2.5-flash', baseUrl: 'https://generativelanguage.googleapis.com' },
  },
  defaultProvider: 'anthropic',
  requestTimeoutMs: 60_000,
  httpAttempts: 3,
  backoffMs: 500,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 30_000,
  validateAttempts: 3,
  maxTokens: 1024,
  maxContextChars: 20_000,
  actionTimeoutMs: 180_000,
} satisfies AiActionOptions;
