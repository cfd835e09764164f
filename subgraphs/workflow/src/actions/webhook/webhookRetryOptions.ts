/** How `webhook.call` retries within one step execution. */
export interface WebhookRetryOptions {
  /**
   * HTTP attempts per execution for network errors, 408, 429 and 5xx answers
   * (WORKFLOW_WEBHOOK_ATTEMPTS).
   * @default 3
   */
  attempts: number;
  /**
   * Ceiling of the first backoff, doubled per attempt; the wait is random below it (full jitter)
   * (WORKFLOW_WEBHOOK_BACKOFF_MS).
   * @default 200
   */
  backoffMs: number;
  /** Cap of the backoff ceiling (WORKFLOW_WEBHOOK_MAX_BACKOFF_MS). @default 10000 */
  maxBackoffMs: number;
}

/** Defaults of {@link WebhookRetryOptions}. */
export const defaultWebhookRetryOptions = {
  attempts: 3,
  backoffMs: 200,
  maxBackoffMs: 10_000,
} as const satisfies WebhookRetryOptions;

/**
 * Wait before the attempt after `failedAttempt` (1-based): uniform in [0, min(max, base·2^(n-1))]
 * ("full jitter"), so callers failing together do not come back together.
 */
export function fullJitterBackoff(
  options: Pick<WebhookRetryOptions, 'backoffMs' | 'maxBackoffMs'>,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** (failedAttempt - 1));
  return Math.round(random() * ceiling);
}
