import type { RetryPolicy } from '../definitions/types';

/**
 * Delay before attempt `nextAttempt` (2 = first retry). Exponential doubles from `delayMs`,
 * capped by `maxDelayMs`; no backoff means retry at once.
 */
export function backoffDelay(policy: RetryPolicy | undefined, nextAttempt: number): number {
  const backoff = policy?.backoff;
  if (!backoff || nextAttempt < 2) return 0;
  const raw = backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** (nextAttempt - 2);
  return Math.min(raw, backoff.maxDelayMs ?? Number.MAX_SAFE_INTEGER);
}

/** Whether another attempt is allowed after `attempt` failed. */
export function canRetry(policy: RetryPolicy | undefined, attempt: number): boolean {
  return attempt < (policy?.attempts ?? 1);
}
