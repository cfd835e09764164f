import type { Model } from 'mongoose';
import type { Logger } from '../logging';
import { ROOT_CONTEXT, runInContext } from '../telemetry';
import type { CloudEvent } from './envelope';
import { isRetriable } from './errors';
import { registerOutboxBacklog } from './metrics';
import type { EventPublisher } from './publisher';

/**
 * Fields an aggregate document carries to publish its events transactionally without
 * multi-document transactions: the change and its pending events are written in one
 * single-document update, and the relay clears them once Kafka acknowledged them.
 */
export interface OutboxFields {
  /** Events committed with the aggregate, not yet acknowledged by Kafka, in sequence order. */
  pendingEvents: CloudEvent[];
  /** Last sequence number used for this aggregate's events. */
  eventSequence: number;
}

/** Mongoose schema fragment for {@link OutboxFields}. */
export const outboxSchemaFields = {
  pendingEvents: { type: [Object], default: () => [] },
  eventSequence: { type: Number, default: 0 },
};

/** An aggregate model and the topic its events go to. */
export interface OutboxSource {
  // Mongoose model types are invariant in their document type; the relay touches only outbox fields.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>;
  topic: string;
}

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  sources: OutboxSource[];
  publisher: EventPublisher;
  logger: Logger;
  /** Sweep period that catches events left behind (e.g. Kafka was down). @default 1000 */
  intervalMs?: number;
  /** Documents taken per sweep and source. @default 100 */
  batchSize?: number;
}

/** Relays committed events to Kafka; kick() after a write for low latency, the sweep catches the rest. */
export interface OutboxRelay {
  start(): void;
  /** Requests a relay pass soon; passes never overlap. */
  kick(): void;
  /** Runs passes until nothing is pending (or an error occurs); used in tests and at shutdown. */
  drain(): Promise<void>;
  /** Number of aggregates with events waiting for Kafka. */
  backlog(): Promise<number>;
  stop(): Promise<void>;
}

type PendingDoc = { _id: string; pendingEvents: CloudEvent[]; eventSequence: number };

/** Creates the relay that moves pending events from aggregate documents to Kafka. */
export function createOutboxRelay({
  sources,
  publisher,
  logger,
  intervalMs = 1000,
  batchSize = 100,
}: OutboxRelayOptions): OutboxRelay {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;

  /** Clears exactly the published events; compare-and-set on eventSequence so concurrent appends survive. */
  async function clearPublished(source: OutboxSource, doc: PendingDoc, published: Set<string>) {
    let current: PendingDoc | null = doc;
    for (let attempt = 0; current && attempt < 5; attempt++) {
      const remaining = current.pendingEvents.filter((event) => !published.has(event.id));
      const result = await source.model.updateOne(
        { _id: current._id, eventSequence: current.eventSequence },
        { $set: { pendingEvents: remaining } },
      );
      if (result.matchedCount === 1) return;
      current = await source.model
        .findById(doc._id, { pendingEvents: 1, eventSequence: 1 })
        .lean<PendingDoc>();
    }
  }

  async function pass(): Promise<number> {
    let relayed = 0;
    for (const source of sources) {
      const docs = await source.model
        .find({ 'pendingEvents.0': { $exists: true } }, { pendingEvents: 1, eventSequence: 1 })
        .limit(batchSize)
        .lean<PendingDoc[]>();
      for (const doc of docs) {
        const events = [...doc.pendingEvents].sort((a, b) => a.sequence - b.sequence);
        await publisher.publish(source.topic, events);
        await clearPublished(source, doc, new Set(events.map((event) => event.id)));
        relayed += events.length;
      }
    }
    return relayed;
  }

  function run(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((error: unknown) => {
        // A contract violation will not heal by itself: say so loudly (the events stay pending).
        if (isRetriable(error)) logger.warn({ err: error }, 'outbox relay pass failed; will retry');
        else logger.error({ err: error }, 'outbox holds an event that breaks its contract');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  }

  return {
    start() {
      // The backlog gauge (outbox_backlog_aggregates) asks running relays at scrape time.
      for (const source of sources) {
        registerOutboxBacklog(source.topic, () =>
          source.model.countDocuments({ 'pendingEvents.0': { $exists: true } }),
        );
      }
      timer = setInterval(() => void run(), intervalMs);
      timer.unref();
      void run();
    },
    // A pass relays many aggregates' events: it runs outside the kicking request's trace context
    // (each producer span takes its parent from its event's own traceparent instead).
    kick: () => runInContext(ROOT_CONTEXT, () => void run()),
    async drain() {
      while (running) await running;
      while ((await run()) > 0);
    },
    async backlog() {
      let total = 0;
      for (const { model } of sources) {
        total += await model.countDocuments({ 'pendingEvents.0': { $exists: true } });
      }
      return total;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const source of sources) registerOutboxBacklog(source.topic, undefined);
      while (running) await running;
    },
  };
}
