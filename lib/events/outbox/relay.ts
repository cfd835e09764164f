import type { Logger } from '../../logging';
import { ROOT_CONTEXT, runInContext } from '../../telemetry';
import type { CloudEvent } from '../envelope';
import { eventMetrics, registerOutboxBacklog } from '../metrics';
import type { EventPublisher } from '../publisher';
import { clearPublished } from './clearPublished';
import { PENDING_FILTER, type OutboxSource, type PendingDoc } from './fields';
import { parkEvents, refusedForGood, type ParkedDoc } from './parking';
import { repairOutboxFlags } from './repair';

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
   * each document's events alone and parks those that are refused again, so one broken event
   * does not hold back every other aggregate. Retriable failures propagate (retried).
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
      if (!refusedForGood(error)) throw error;
    }
    for (const [i, doc] of docs.entries()) {
      const own = batches[i]!;
      try {
        await publisher.publish(source.topic, own);
      } catch (error) {
        if (!refusedForGood(error)) throw error;
        await parkEvents({
          collection: source.model.db.collection<ParkedDoc>(source.model.collection.collectionName),
          aggregateId: doc._id,
          events: own,
          error,
          topic: source.topic,
          relay: relayName,
          logger,
        });
      }
    }
  }

  let failures = 0;
  function run(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .then((relayed) => {
        lastProgressAt = Date.now();
        if (stallLogged || failures > 0) {
          logger.info({ failedPasses: failures }, 'outbox relay progresses again');
        }
        stallLogged = false;
        failures = 0;
        return relayed;
      })
      .catch((error: unknown) => {
        metrics.outboxRelayFailures.inc({ relay: relayName });
        failures += 1;
        // A contract violation will not heal by itself: say so loudly (the events stay pending).
        // Kafka away: said once per streak (the metric counts every pass), then its end.
        if (refusedForGood(error)) {
          logger.error({ err: error }, 'outbox holds an event that breaks its contract');
        } else if (failures === 1) {
          logger.warn({ err: error }, 'outbox relay pass failed; will retry');
        } else logger.debug({ err: error, failures }, 'outbox relay pass failed again');
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

  function runRepair(parked = false): void {
    repairOutboxFlags({ sources, logger, parked })
      .then((found) => {
        if (found) void run();
      })
      .catch((error: unknown) =>
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
      repairTimer = setInterval(() => runRepair(), repairIntervalMs);
      repairTimer.unref();
      runRepair(true);
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
