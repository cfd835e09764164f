/** Operation types limited separately. */
export type LimitedOperation = 'query' | 'mutation' | 'subscription';

/** Points (operations) a client may spend per window. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

/** Inbound rate limits of the gateway, per client and operation type. */
export interface RateLimitOptions {
  /** Turn the limits off altogether. @default true */
  enabled: boolean;
  /** @default 20000 per 1 s */
  query: RateLimit;
  /** @default 5000 per 1 s */
  mutation: RateLimit;
  /** Subscriptions started (not events delivered). @default 5000 per 1 s */
  subscription: RateLimit;
}

/**
 * Defaults of {@link RateLimitOptions}: a flood ceiling per client, far above what one honest
 * client (or the platform's own benches, which drive one gateway from one address) sends, so
 * only runaway or hostile clients meet it. Deployments set their own contract per type.
 */
export const defaultRateLimitOptions = {
  enabled: true,
  query: { points: 20_000, durationSeconds: 1 },
  mutation: { points: 5_000, durationSeconds: 1 },
  subscription: { points: 5_000, durationSeconds: 1 },
} as const satisfies RateLimitOptions;

/** Parses `points/seconds` (e.g. `100/1`, `1000/60s`); throws "expected …, but got: X". */
export function parseRateLimit(value: string): RateLimit {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*s?\s*$/.exec(value);
  const points = Number(match?.[1]);
  const durationSeconds = Number(match?.[2]);
  if (!match || points < 1 || durationSeconds < 1) {
    throw new Error(`expected points/seconds such as 100/1, but got: ${value}`);
  }
  return { points, durationSeconds };
}
