import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of the event backbone. One set per process, on its own registry, so every
 * role can expose it by merging it into its `/metrics` registry (`Registry.merge`).
 */
export interface EventMetrics {
  registry: Registry;
  produced: Counter<'type'>;
  consumed: Counter<'type' | 'group'>;
  failed: Counter<'type' | 'group'>;
  deadLettered: Counter<'type' | 'group' | 'code'>;
  skipped: Counter<'type' | 'group' | 'reason'>;
  handlerSeconds: Histogram<'type' | 'group'>;
  lag: Gauge<'group' | 'topic' | 'partition'>;
  consumerUp: Gauge<'group'>;
  consumerRestarts: Counter<'group' | 'reason'>;
  outboxBacklog: Gauge<'topic'>;
  outboxRelayFailures: Counter<'relay'>;
  outboxEventsParked: Counter<'relay'>;
}

/** Sources of the outbox backlog gauge, registered by running relays. */
const backlogSources = new Map<string, () => Promise<number>>();

/** Creates the metric set on a new registry (tests create their own; roles share {@link eventMetrics}). */
export function createEventMetrics(registry: Registry = new Registry()): EventMetrics {
  return {
    registry,
    produced: new Counter({
      name: 'events_produced_total',
      help: 'Events acknowledged by Kafka, by type.',
      labelNames: ['type'],
      registers: [registry],
    }),
    consumed: new Counter({
      name: 'events_consumed_total',
      help: 'Events handled successfully, by type and consumer group.',
      labelNames: ['type', 'group'],
      registers: [registry],
    }),
    failed: new Counter({
      name: 'events_failed_total',
      help: 'Handler attempts that failed (each retry counts), by type and consumer group.',
      labelNames: ['type', 'group'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'events_dead_lettered_total',
      help: 'Records sent to a dead-letter topic, by type, consumer group and error code.',
      labelNames: ['type', 'group', 'code'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'events_skipped_total',
      help: 'Records not handled: duplicate (already processed) or no handler in this group.',
      labelNames: ['type', 'group', 'reason'],
      registers: [registry],
    }),
    handlerSeconds: new Histogram({
      name: 'event_handler_duration_seconds',
      help: 'Duration of successful handler calls.',
      labelNames: ['type', 'group'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'event_consumer_lag',
      help: 'High watermark minus committed offset, per consumer group and partition (at last batch).',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
    }),
    consumerUp: new Gauge({
      name: 'event_consumer_up',
      help: "Whether this process's member of a consumer group has joined and consumes (1) or not (0).",
      labelNames: ['group'],
      registers: [registry],
    }),
    consumerRestarts: new Counter({
      name: 'event_consumer_restarts_total',
      help: 'Consumer group member restarts, by group and reason (crash, stalled, failed).',
      labelNames: ['group', 'reason'],
      registers: [registry],
    }),
    outboxRelayFailures: new Counter({
      name: 'outbox_relay_failures_total',
      help: 'Outbox relay passes that failed (Kafka or the database unavailable, a broken event).',
      labelNames: ['relay'],
      registers: [registry],
    }),
    outboxEventsParked: new Counter({
      name: 'outbox_events_parked_total',
      help: 'Events an outbox relay set aside (in parkedEvents) because they can never be sent.',
      labelNames: ['relay'],
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'outbox_backlog_aggregates',
      help: 'Aggregates holding events not yet acknowledged by Kafka, per target topic.',
      labelNames: ['topic'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [topic, count] of backlogSources) {
          this.set({ topic }, await count().catch(() => -1));
        }
      },
    }),
  };
}

/** Registers (or with `undefined`, removes) the backlog probe of an outbox relay. */
export function registerOutboxBacklog(topic: string, count: (() => Promise<number>) | undefined) {
  if (count) backlogSources.set(topic, count);
  else backlogSources.delete(topic);
}

let shared: EventMetrics | undefined;

/** The process-wide event metrics (publishers, relays and consumers record here by default). */
export function eventMetrics(): EventMetrics {
  shared ??= createEventMetrics();
  return shared;
}
