import { Counter, Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import {
  resolveHostRateLimiterOptions,
  type HostRate,
  type HostRateLimiterOptions,
} from './hostRateOptions';
import { parseRetryAfter } from './parseRetryAfter';

/** The part of an HTTP answer {@link HostRateLimiter.observe} reads (a fetch `Response` fits). */
export interface RateLimitedAnswer {
  headers: { get(name: string): string | null };
}

/** Options of {@link createHostRateLimiter}: budgets (defaults in `defaultHostRateLimiterOptions`) and metrics. */
export type HostRateLimiterInit = Partial<HostRateLimiterOptions> & {
  /** Registry of `outbound_rate_limit_waits_total` and `outbound_rate_limit_pauses_total`. @default a new Registry */
  metrics?: Registry;
};

/** Outbound token buckets, one per host, that also obey the other side's rate-limit answers. */
export interface HostRateLimiter {
  /**
   * Resolves when `host` may be called: after its pause (see `observe`) and once its bucket has a
   * token. Waiting is not a failure; it rejects only with `signal`'s reason when that aborts.
   * Resolves with the milliseconds it chose to wait (0: a token was there).
   */
  acquire(host: string, signal?: AbortSignal): Promise<number>;
  /**
   * Reads an answer of `host`: `Retry-After` (seconds or HTTP date), or `X-RateLimit-Remaining: 0`
   * (also `RateLimit-Remaining`) with its reset (epoch or delta seconds), pauses the host until
   * then. Returns the pause in milliseconds (0: none).
   */
  observe(host: string, answer: RateLimitedAnswer): number;
  /** When `host`'s pause ends, or null when it is not paused. */
  pausedUntil(host: string): Date | null;
  /** The registry of the limiter's metrics. */
  registry: Registry;
}

// Reset values above these are absolute times, below them deltas: no API sends a delta of 30 years.
const EPOCH_SECONDS_FLOOR = 1e9;
const EPOCH_MS_FLOOR = 1e12;

/** Milliseconds until an `X-RateLimit-Reset` value: epoch ms, epoch seconds or delta seconds. */
export function parseRateLimitReset(value: string | null, now = Date.now()): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const number = Number(value);
  if (number >= EPOCH_MS_FLOOR) return Math.max(0, Math.round(number - now));
  if (number >= EPOCH_SECONDS_FLOOR) return Math.max(0, Math.round(number * 1000 - now));
  return Math.round(number * 1000);
}

/** How long an answer asks its host to be left alone, in ms (undefined: it does not). */
function requestedPause(answer: RateLimitedAnswer, now: number): number | undefined {
  const headers = answer.headers;
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  const remaining = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
  const exhausted = remaining !== null && Number(remaining.trim()) === 0;
  const reset = exhausted
    ? parseRateLimitReset(headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset'), now)
    : undefined;
  if (retryAfter === undefined && reset === undefined) return undefined;
  return Math.max(retryAfter ?? 0, reset ?? 0);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => (clearTimeout(timer), reject(signal!.reason as Error));
    const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Creates the limiter. Each host gets a `rate-limiter-flexible` memory bucket of its configured
 * rate; pauses asked for by the host are kept beside it, to the millisecond.
 */
export function createHostRateLimiter(init: HostRateLimiterInit = {}): HostRateLimiter {
  const { metrics: registry = new Registry(), ...given } = init;
  const options = resolveHostRateLimiterOptions(given);
  const buckets = new Map<string, RateLimiterMemory>();
  const pauses = new Map<string, number>();
  const waits = new Counter({
    name: 'outbound_rate_limit_waits_total',
    help: 'Outbound calls that waited before being sent, by host and why (budget or pause).',
    labelNames: ['host', 'reason'],
    registers: [registry],
  });
  const pauseCount = new Counter({
    name: 'outbound_rate_limit_pauses_total',
    help: 'Pauses imposed on a host by its Retry-After or X-RateLimit-* answers.',
    labelNames: ['host'],
    registers: [registry],
  });

  const bucketOf = (host: string) => {
    let bucket = buckets.get(host);
    if (!bucket) {
      const rate: HostRate = options.hosts[host] ?? options.defaultRate;
      bucket = new RateLimiterMemory({ points: rate.points, duration: rate.durationSec });
      buckets.set(host, bucket);
    }
    return bucket;
  };

  const pauseLeft = (host: string, now = Date.now()) => {
    const until = pauses.get(host);
    if (until === undefined) return 0;
    if (until <= now) pauses.delete(host);
    return Math.max(0, until - now);
  };

  return {
    registry,
    async acquire(rawHost, signal) {
      const host = rawHost.toLowerCase();
      let waited = 0;
      const waitFor = async (ms: number, reason: 'budget' | 'pause') => {
        if (waited === 0) waits.inc({ host, reason });
        waited += ms;
        await sleep(ms, signal);
      };
      // Not RateLimiterQueue: a queued request cannot be withdrawn when its caller gives up, and it
      // would still spend a token later. Polling the bucket at its own `msBeforeNext` can; the
      // price is that waiters are served in timer order rather than strictly first come.
      for (;;) {
        if (signal?.aborted) throw signal.reason as Error;
        const paused = pauseLeft(host);
        if (paused > 0) {
          await waitFor(paused, 'pause');
          continue;
        }
        try {
          await bucketOf(host).consume(host);
          return waited;
        } catch (refusal) {
          if (!(refusal instanceof RateLimiterRes)) throw refusal;
          await waitFor(Math.max(1, refusal.msBeforeNext), 'budget');
        }
      }
    },
    observe(rawHost, answer) {
      const host = rawHost.toLowerCase();
      const now = Date.now();
      const asked = requestedPause(answer, now);
      if (asked === undefined || asked <= 0) return 0;
      const pause = Math.min(asked, options.maxPauseMs);
      // A later answer never shortens a pause an earlier one asked for.
      pauses.set(host, Math.max(pauses.get(host) ?? 0, now + pause));
      pauseCount.inc({ host });
      return pause;
    },
    pausedUntil(rawHost) {
      const host = rawHost.toLowerCase();
      return pauseLeft(host) > 0 ? new Date(pauses.get(host)!) : null;
    },
  };
}
