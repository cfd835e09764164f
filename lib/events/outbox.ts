import type { Model } from 'mongoose';
import type { Logger } from '../logging';
import { mongoCapabilities } from '../mongo/capabilities';
import { ROOT_CONTEXT, runInContext } from '../telemetry';
import type { CloudEvent } from './envelope';
import { isRetriable } from './errors';
import { eventMetrics, registerOutboxBacklog } from './metrics';
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
  /**
   * True while `pendingEvents` is not empty: an indexed equality the relay finds work by, instead
   * of scanning the collection for non-empty arrays. Every write that adds pending events sets it
   * in the same update ({@link OUTBOX_PENDING}); the relay clears it with its compare-and-set.
   */
  outboxPending?: boolean;
  /** Events the relay set aside because they can never be sent (broken contract), with why. */
  parkedEvents?: { event: CloudEvent; reason: string; at: Date }[];
}

/** The indexed flag of {@link OutboxFields}: writers `$set` it with the events they add. */
export const OUTBOX_PENDING = 'outboxPending';

/** Mongoose schema fragment for {@link OutboxFields}. */
export const outboxSchemaFields = {
  pendingEvents: { type: [Object], default: () => [] },
  eventSequence: { type: Number, default: 0 },
  outboxPending: { type: Boolean, default: false, index: true },
  parkedEvents: { type: [Object], default: undefined },
};

const PENDING_FILTER = { [OUTBOX_PENDING]: true };
// Finds documents whose writer predates the flag (or forgot it): a scan, so only at start and rarely.
const UNFLAGGED_FILTER = { 'pendingEvents.0': { $exists: true }, [OUTBOX_PENDING]: { $ne: true } };

/** An aggregate model and the topic its events go to. */
export interface OutboxSource {
  // Mongoose model types are invariant in their document type; the relay touches only outbox fields.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>;
  topic: string;
  /**
   * Order in which pending documents are relayed, when one aggregate's events span several
   * documents (workflow commits: `{ runId: 1, revision: 1 }`), so its events reach Kafka in
   * sequence order. @default none (each document holds a whole aggregate)
   */
  order?: Record<string, 1 | -1>;
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
  /** Period of the scan that flags pending events written without the flag. @default 60000 */
  repairIntervalMs?: number;
  /** A relay that has not finished a pass successfully for this long is reported stalled. @default 15000 */
  stallAfterMs?: number;
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
  /**
   * False when no pass has succeeded for `stallAfterMs` (Kafka or the database failing, or a pass
   * stuck): `/ready` reports it, and it is logged once until the relay progresses again.
   */
  isProgressing(): boolean;
  stop(): Promise<void>;
}

// Compare-and-set attempts before a pass leaves published events pending (they are sent again:
// at-least-once, consumers deduplicate).
const CAS_ATTEMPTS = 20;

type PendingDoc = { _id: string; pendingEvents: CloudEvent[]; eventSequence: number };

/** Creates the relay that moves pending events from aggregate documents to Kafka. */
export function createOutboxRelay({
  sources,
  publisher,
  logger,
  intervalMs = 1000,
  batchSize = 100,
  repairIntervalMs = 60_000,
  stallAfterMs = 15_000,
}: OutboxRelayOptions): OutboxRelay {
  const relayName = sources.map((source) => source.topic).join(',');
  const metrics = eventMetrics();
  let lastProgressAt = Date.now();
  let stallLogged = false;
  let timer: NodeJS.Timeout | undefined;
  let repairTimer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;

  /**
   * Clears exactly the published events, never one appended meanwhile: by `$pull` of their ids
   * where the server supports it (probed), else by compare-and-set on eventSequence (FerretDB 1.x).
   * The flag is cleared only by an update whose filter sees the list empty, so an append racing
   * with it keeps its flag.
   */
  async function clearPublished(source: OutboxSource, doc: PendingDoc, published: Set<string>) {
    const { pullWithCondition } = await mongoCapabilities(source.model.db);
    if (pullWithCondition) {
      if (published.size > 0) {
        await source.model.updateOne(
          { _id: doc._id },
          { $pull: { pendingEvents: { id: { $in: [...published] } } } },
        );
      }
      await source.model.updateOne(
        { _id: doc._id, 'pendingEvents.0': { $exists: false }, [OUTBOX_PENDING]: true },
        { $set: { [OUTBOX_PENDING]: false } },
      );
      return;
    }
    let current: PendingDoc | null = doc;
    for (let attempt = 0; current && attempt < CAS_ATTEMPTS; attempt++) {
      const remaining = current.pendingEvents.filter((event) => !published.has(event.id));
      const result = await source.model.updateOne(
        { _id: current._id, eventSequence: current.eventSequence },
        { $set: { pendingEvents: remaining, [OUTBOX_PENDING]: remaining.length > 0 } },
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
        .find(PENDING_FILTER, { pendingEvents: 1, eventSequence: 1 })
        .sort(source.order ?? {})
        .limit(batchSize)
        .lean<PendingDoc[]>();
      // One acknowledged send for the whole batch (in document order, each document's events in
      // sequence order: per-key order holds), then each document clears what was sent.
      const batches = docs.map((doc) =>
        [...doc.pendingEvents].sort((a, b) => a.sequence - b.sequence),
      );
      const events = batches.flat();
      await publishOrIsolate(source, docs, batches);
      await Promise.all(
        docs.map((doc, i) =>
          clearPublished(source, doc, new Set(batches[i]!.map((event) => event.id))),
        ),
      );
      // Sent or set aside: either way these documents are done with.
      relayed += events.length;
    }
    return relayed;
  }

  /**
   * Sends the batch; when the broker or the contracts refuse it for good (not retriable), sends
   * each document's events alone and sets aside those that are refused again, so one broken
   * event does not hold back every other aggregate. Retriable failures propagate (retried).
   */
  async function publishOrIsolate(
    source: OutboxSource,
    docs: PendingDoc[],
    batches: CloudEvent[][],
  ): Promise<void> {
    const events = batches.flat();
    if (events.length === 0) return;
    try {
      await publisher.publish(source.topic, events);
      return;
    } catch (error) {
      if (isRetriable(error)) throw error;
    }
    for (const [i, doc] of docs.entries()) {
      const own = batches[i]!;
      try {
        await publisher.publish(source.topic, own);
      } catch (error) {
        if (isRetriable(error)) throw error;
        await setAside(source, doc, own, error);
      }
    }
  }

  /** Moves refused events to `parkedEvents` with the reason; the caller then clears them. */
  async function setAside(
    source: OutboxSource,
    doc: PendingDoc,
    events: CloudEvent[],
    error: unknown,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    await source.model.updateOne(
      { _id: doc._id },
      {
        $push: {
          parkedEvents: { $each: events.map((event) => ({ event, reason, at: new Date() })) },
        },
      },
    );
    metrics.outboxEventsParked.inc({ relay: relayName }, events.length);
    logger.error(
      { relay: relayName, aggregate: doc._id, events: events.map((event) => event.id), reason },
      'outbox set aside events the broker or their contract refuses; the others flow',
    );
  }

  function run(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .then((relayed) => {
        lastProgressAt = Date.now();
        if (stallLogged) logger.info('outbox relay progresses again');
        stallLogged = false;
        return relayed;
      })
      .catch((error: unknown) => {
        metrics.outboxRelayFailures.inc({ relay: relayName });
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

  /** Flags documents that hold pending events without {@link OUTBOX_PENDING} (a scan). */
  async function repair(): Promise<void> {
    for (const source of sources) {
      const result = await source.model.updateMany(UNFLAGGED_FILTER, {
        $set: { [OUTBOX_PENDING]: true },
      });
      if (result.modifiedCount > 0) {
        logger.warn(
          { topic: source.topic, documents: result.modifiedCount },
          'outbox: flagged pending events written without the outboxPending flag',
        );
        void run();
      }
    }
  }

  function runRepair(): void {
    repair().catch((error: unknown) =>
      logger.warn({ err: error }, 'outbox repair scan failed; will retry'),
    );
  }

  return {
    start() {
      // The backlog gauge (outbox_backlog_aggregates) asks running relays at scrape time.
      for (const source of sources) {
        registerOutboxBacklog(source.topic, () => source.model.countDocuments(PENDING_FILTER));
      }
      timer = setInterval(() => void run(), intervalMs);
      timer.unref();
      repairTimer = setInterval(runRepair, repairIntervalMs);
      repairTimer.unref();
      runRepair();
      void run();
    },
    // A pass relays many aggregates' events: it runs outside the kicking request's trace context
    // (each producer span takes its parent from its event's own traceparent instead).
    kick: () => runInContext(ROOT_CONTEXT, () => void run()),
    async drain() {
      while (running) await running;
      while ((await run()) > 0);
    },
    isProgressing() {
      const progressing = stopped || Date.now() - lastProgressAt < stallAfterMs;
      if (!progressing && !stallLogged) {
        stallLogged = true;
        logger.error(
          { relay: relayName, sinceMs: Date.now() - lastProgressAt },
          'outbox relay is not progressing',
        );
      }
      return progressing;
    },
    async backlog() {
      let total = 0;
      for (const { model } of sources) {
        total += await model.countDocuments(PENDING_FILTER);
      }
      return total;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(repairTimer);
      for (const source of sources) registerOutboxBacklog(source.topic, undefined);
      while (running) await running;
    },
  };
}
