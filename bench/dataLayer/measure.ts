import { loadavg } from 'node:os';
import autocannon from 'autocannon';

/** Throughput and latency of one measured path (or its floor). */
export interface Figure {
  /** Operations (requests, events, runs) per second. */
  rate: number;
  /** Milliseconds; NaN when the path has no per-operation latency. */
  p50: number;
  p99: number;
  /** Operations counted in `rate`. */
  count: number;
  errors: number;
}

/** The 1-minute load average, rounded (os.loadavg). */
export const loadAverage = () => Math.round(loadavg()[0]! * 100) / 100;

const started = performance.now();

/** Prints a progress line with the seconds since the bench started. */
export function log(line: string): void {
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of ascending values; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Builds a figure from per-operation latencies (ms) over `seconds`. */
export function figureOf(latencies: number[], seconds: number, errors = 0): Figure {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    rate: latencies.length / seconds,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    count: latencies.length,
    errors,
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Options of {@link runLoops}. */
export interface LoopOptions {
  concurrency: number;
  seconds: number;
  /** Stops early after this many operations in total. */
  maxOps?: number;
  /** One operation of loop `worker` (its `n`-th); a throw counts as an error, not a latency. */
  op: (worker: number, n: number) => Promise<void>;
}

/** Closed-loop load: `concurrency` loops each awaiting `op` back to back until the time is up. */
export async function runLoops({
  concurrency,
  seconds,
  maxOps = Infinity,
  op,
}: LoopOptions): Promise<Figure> {
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  let firstError: unknown;
  const begin = performance.now();
  const deadline = begin + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let n = 0; performance.now() < deadline && started < maxOps; n++) {
        started++;
        const t0 = performance.now();
        try {
          await op(worker, n);
          latencies.push(performance.now() - t0);
        } catch (error) {
          errors++;
          firstError ??= error;
        }
      }
    }),
  );
  if (firstError) console.warn(`  (${errors} errors; first: ${String(firstError).slice(0, 300)})`);
  return figureOf(latencies, (performance.now() - begin) / 1000, errors);
}

/** Options of {@link loadGraphql}. */
export interface GraphqlLoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Request body of each request (called per request, e.g. to rotate ids). */
  body: () => string;
  /** Requests sent one by one before the measurement (JIT, query plans, pools), for at most 2 s. @default 5 */
  warmup?: number;
}

/**
 * autocannon against a GraphQL endpoint; a 200 whose body holds `"errors"` counts as an error
 * (autocannon alone would count it as a success).
 */
export async function loadGraphql({
  url,
  connections,
  seconds,
  body,
  warmup = 5,
}: GraphqlLoadOptions): Promise<Figure> {
  const warmUntil = performance.now() + 2000;
  for (let i = 0; i < warmup && performance.now() < warmUntil; i++) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(),
    });
    await response.text();
  }
  let graphqlErrors = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: body() }),
        onResponse: (_status, responseBody) => {
          if (responseBody.includes('"errors"')) graphqlErrors++;
        },
      },
    ],
  });
  return {
    rate: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    count: result.requests.total,
    errors: result.errors + result.non2xx + result.timeouts + graphqlErrors,
  };
}

/** Sends one GraphQL operation with fetch; GraphQL errors throw. */
export async function graphql<D>(url: string, query: string, variables: object = {}): Promise<D> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: D; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return body.data!;
}

/** Cumulative bucket counts of a prom-client histogram, summed over the label sets that match. */
export type Buckets = Map<number, number>;

/** Quantile of the observations between two bucket snapshots, the Prometheus way (ms). */
export function histogramQuantile(before: Buckets, after: Buckets, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      if (!Number.isFinite(upper)) return lower * 1000;
      const below = i === 0 ? 0 : counts[i - 1]!;
      const inBucket = counts[i]! - below;
      return round((lower + ((upper - lower) * (rank - below)) / (inBucket || 1)) * 1000);
    }
  }
  return NaN;
}
