import { Counter, Gauge, type Registry } from 'prom-client';

/** Values of `circuit_breaker_state`: ordered by how bad the state is. */
export const BREAKER_STATE_VALUE = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 } as const;

/** A breaker's state. */
export type BreakerState = keyof typeof BREAKER_STATE_VALUE;

/** The Prometheus metrics of a breaker registry. */
export interface BreakerMetrics {
  state: Gauge<'breaker'>;
  transitions: Counter<'breaker' | 'to'>;
}

/** Registers the breaker metrics on `registry`. */
export function createBreakerMetrics(registry: Registry): BreakerMetrics {
  return {
    state: new Gauge({
      name: 'circuit_breaker_state',
      help: 'State of each circuit breaker: 0 closed, 1 half-open, 2 open.',
      labelNames: ['breaker'],
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'circuit_breaker_transitions_total',
      help: 'State changes of each circuit breaker, by the state entered.',
      labelNames: ['breaker', 'to'],
      registers: [registry],
    }),
  };
}
