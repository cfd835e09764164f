/** Retry policy of a handler for retriable errors. */
export interface RetryOptions {
  /** Attempts in total, the first included; then the event is poison and dead-lettered. @default 5 */
  maxAttempts: number;
  /** Delay before the first retry. @default 100 */
  initialDelayMs: number;
  /** Upper bound of any delay. @default 5000 */
  maxDelayMs: number;
  /** Growth factor per attempt. @default 2 */
  multiplier: number;
}

/** Defaults of {@link RetryOptions}. */
export const defaultRetryOptions = {
  maxAttempts: 5,
  initialDelayMs: 100,
  maxDelayMs: 5000,
  multiplier: 2,
} satisfies RetryOptions;

/**
 * Delay before retry number `attempt` (1 = after the first failure): exponential, capped, with
 * "equal jitter" (half fixed, half random) so retrying keys spread out but never retry at once.
 */
export function backoffDelay(
  attempt: number,
  options: RetryOptions = defaultRetryOptions,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`expected attempt to be an integer >= 1, but got: ${attempt}`);
  }
  const exponential = options.initialDelayMs * options.multiplier ** (attempt - 1);
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped / 2 + (capped / 2) * random());
}
