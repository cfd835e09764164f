import type { Counter, Histogram } from 'prom-client';
import type { EventMetrics } from '../../metrics';

/** The per-record metrics of one (group, event type), already bound to their labels. */
export interface TypeMetrics {
  consumed: Counter.Internal;
  handlerSeconds: Histogram.Internal<'type' | 'group'>;
}

const bound = new WeakMap<EventMetrics, Map<string, TypeMetrics>>();

/**
 * The metrics every handled record updates, bound once per (group, type): prom-client hashes the
 * labels on every `inc({…})`, which the hot path of a consumer should not pay per record.
 */
export function typeMetrics(metrics: EventMetrics, group: string, type: string): TypeMetrics {
  let byKey = bound.get(metrics);
  if (!byKey) {
    byKey = new Map();
    bound.set(metrics, byKey);
  }
  const key = `${group}\u0000${type}`;
  let found = byKey.get(key);
  if (!found) {
    found = {
      consumed: metrics.consumed.labels({ group, type }),
      handlerSeconds: metrics.handlerSeconds.labels({ group, type }),
    };
    byKey.set(key, found);
  }
  return found;
}
