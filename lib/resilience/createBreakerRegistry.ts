import CircuitBreaker from 'opossum';
import { Registry } from 'prom-client';
import type { Logger } from '../logging';
import { resolveBreakerOptions, type BreakerOptions } from './breakerOptions';
import { BREAKER_STATE_VALUE, createBreakerMetrics, type BreakerState } from './breakerMetrics';
import { CircuitOpenError } from './errors';

/** Options of {@link createBreakerRegistry}: thresholds (defaults in `defaultBreakerOptions`) and outputs. */
export type BreakerRegistryOptions = Partial<BreakerOptions> & {
  /** State changes are logged here, once each. */
  logger: Logger;
  /** Registry of the breaker metrics. @default a new Registry */
  metrics?: Registry;
};

/** One breaker as listed by {@link BreakerRegistry.list}. */
export interface BreakerView {
  name: string;
  state: BreakerState;
  /** Counts over the rolling window. */
  counts: { fires: number; successes: number; failures: number; rejects: number };
  /** When the breaker last opened (null: never, or closed since). */
  openedAt: string | null;
  /** When an open breaker half-opens (null unless open). */
  nextAttemptAt: string | null;
}

/** Breakers keyed by name (a host, a subgraph, a provider), created on first use. */
export interface BreakerRegistry {
  /**
   * Runs `fn` through the breaker `key`. While it is open, rejects at once with a
   * {@link CircuitOpenError} without calling `fn`. `isFailure` says which rejections count against
   * the breaker (default: all); the others are passed on and count as answers.
   */
  fire<T>(key: string, fn: () => Promise<T>, isFailure?: (error: unknown) => boolean): Promise<T>;
  /** Every breaker created so far, sorted by name. */
  list(): BreakerView[];
  /** The registry holding `circuit_breaker_state` and `circuit_breaker_transitions_total`. */
  registry: Registry;
  /** Stops every breaker's timers (the role is stopping). */
  shutdown(): void;
}

type Action = (
  fn: () => Promise<unknown>,
  isFailure?: (error: unknown) => boolean,
) => Promise<unknown>;

interface Entry {
  breaker: CircuitBreaker<Parameters<Action>, unknown>;
  /** Tracked here: opossum's own `lastTimerAt` is set once at construction, not at each open. */
  openedAt: number | null;
}

const run: Action = (fn) => fn();

/** Creates a registry of circuit breakers (opossum) with metrics and one log line per state change. */
export function createBreakerRegistry(options: BreakerRegistryOptions): BreakerRegistry {
  const { logger, metrics: registry = new Registry(), ...given } = options;
  const thresholds = resolveBreakerOptions(given);
  const metrics = createBreakerMetrics(registry);
  const entries = new Map<string, Entry>();

  const stateOf = ({ breaker }: Entry): BreakerState =>
    breaker.opened ? 'OPEN' : breaker.halfOpen ? 'HALF_OPEN' : 'CLOSED';

  const nextAttemptOf = (entry: Entry): number | null =>
    entry.openedAt !== null && entry.breaker.opened
      ? entry.openedAt + thresholds.resetTimeoutMs
      : null;

  function create(name: string): Entry {
    const breaker = new CircuitBreaker<Parameters<Action>, unknown>(run, {
      name,
      // Callers own their timeouts (an abortable request is cancelled; opossum's would not be).
      timeout: false,
      errorThresholdPercentage: thresholds.errorThresholdPercentage,
      volumeThreshold: thresholds.volumeThreshold,
      resetTimeout: thresholds.resetTimeoutMs,
      rollingCountTimeout: thresholds.rollingCountTimeoutMs,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // opossum's filter is "ignore this error": the inverse of the caller's `isFailure`.
      // opossum's filter is "ignore this error": the inverse of the caller's `isFailure`. It is
      // called with the fired arguments after the error; @types/opossum declares only the error.
      errorFilter: ((error: unknown, _fn: unknown, isFailure?: (error: unknown) => boolean) =>
        isFailure ? !isFailure(error) : false) as (error: unknown) => boolean,
    });
    const entry: Entry = { breaker, openedAt: null };
    const enter = (to: BreakerState) => {
      metrics.state.set({ breaker: name }, BREAKER_STATE_VALUE[to]);
      metrics.transitions.inc({ breaker: name, to });
    };
    breaker.on('open', () => {
      entry.openedAt = Date.now();
      enter('OPEN');
      const stats = breaker.stats;
      logger.warn(
        {
          breaker: name,
          failures: stats.failures,
          fires: stats.fires,
          nextAttemptAt: new Date(entry.openedAt + thresholds.resetTimeoutMs).toISOString(),
        },
        'circuit breaker opened',
      );
    });
    breaker.on('halfOpen', () => {
      enter('HALF_OPEN');
      logger.info({ breaker: name }, 'circuit breaker half-open: letting one trial call through');
    });
    breaker.on('close', () => {
      entry.openedAt = null;
      enter('CLOSED');
      logger.info({ breaker: name }, 'circuit breaker closed');
    });
    metrics.state.set({ breaker: name }, BREAKER_STATE_VALUE.CLOSED);
    entries.set(name, entry);
    return entry;
  }

  return {
    registry,
    async fire<T>(key: string, fn: () => Promise<T>, isFailure?: (error: unknown) => boolean) {
      const entry = entries.get(key) ?? create(key);
      try {
        return (await entry.breaker.fire(fn, isFailure)) as T;
      } catch (error) {
        // opossum's refusal (counted in its `rejects`) becomes a typed error saying when to retry.
        if ((error as { code?: unknown }).code !== 'EOPENBREAKER') throw error;
        const next = nextAttemptOf(entry);
        throw new CircuitOpenError(key, next === null ? null : new Date(next));
      }
    },
    list() {
      return [...entries.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, entry]) => {
          const { fires, successes, failures, rejects } = entry.breaker.stats;
          const next = nextAttemptOf(entry);
          return {
            name,
            state: stateOf(entry),
            counts: { fires, successes, failures, rejects },
            openedAt: entry.openedAt === null ? null : new Date(entry.openedAt).toISOString(),
            nextAttemptAt: next === null ? null : new Date(next).toISOString(),
          };
        });
    },
    shutdown() {
      for (const { breaker } of entries.values()) breaker.shutdown();
      entries.clear();
    },
  };
}
