import type { BreakerRegistry, HostRateLimiter } from '../../../../lib/resilience';

/** What stands between an action and another service: a breaker per target, a bucket per host. */
export interface OutboundGuard {
  breakers: BreakerRegistry;
  limiter: HostRateLimiter;
}

/** Where one outbound call goes: the breaker it runs through and the host whose bucket it spends. */
export interface OutboundTarget {
  /** Breaker name, e.g. `webhook:hooks.example.com` or `ai:anthropic`. */
  breaker: string;
  /** `host[:port]` of the URL. */
  host: string;
}

/**
 * Makes one call: waits for the host's token (not a failure; only `signal` ends the wait), then
 * runs `call` through the target's breaker, which rejects at once with `CircuitOpenError` while
 * open. Only rejections of `call` count against the breaker, so `call` should throw for answers
 * that mean the other side is unwell and return the others. Without a guard, just calls.
 */
export async function guardedCall<T>(
  guard: OutboundGuard | undefined,
  target: OutboundTarget,
  signal: AbortSignal,
  call: () => Promise<T>,
): Promise<T> {
  if (!guard) return call();
  await guard.limiter.acquire(target.host, signal);
  return guard.breakers.fire(target.breaker, call);
}

/** `host[:port]` of a URL, lower-cased: the key of its token bucket and webhook breaker. */
export const hostOf = (url: string): string => new URL(url).host.toLowerCase();
