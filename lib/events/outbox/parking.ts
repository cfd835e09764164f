import type { mongo } from 'mongoose';
import type { Logger } from '../../logging';
import type { MongoCapabilities } from '../../mongo/capabilities';
import type { CloudEvent } from '../envelope';
import { eventMetrics } from '../metrics';
import { EventError } from '../errors';
import { OUTBOX_PARKED, PARKED_FILTER, type ParkedOutboxEvent } from './fields';

/**
 * Parking: where an outbox puts an event that can never be sent, so the events behind it flow.
 * The relay parks (`parkEvents`); the operations subgraph finds (`findOutboxCollections`,
 * `findParkedEvents`), and after a retry or a discard removes (`removeParkedEvent`). Parked events stay in their aggregate document
 * (`parkedEvents`), like pending ones: no multi-document write is needed to move them.
 */

/** An aggregate document as parking reads and writes it. */
export interface ParkedDoc {
  _id: string;
  parkedEvents?: ParkedOutboxEvent[];
  outboxParked?: boolean;
}

type ParkingCollection = mongo.Collection<ParkedDoc>;

/** The refusal's code: an EventError's `code`, a kafkajs error's `type`, else the error's name. */
/** Broker refusals about the records themselves: sending them again can never succeed. */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

/**
 * Whether `error` refuses the events themselves, for good: their contract (an `EventError` that is
 * not retriable) or a broker error about the records. Anything else, a broker that is away above
 * all (kafkajs gives up with a non-retriable wrapper around a connection error), is retried: the
 * events stay pending, never parked.
 */
export function refusedForGood(error: unknown): boolean {
  for (let cause = error as { cause?: unknown; type?: unknown } | undefined; cause;) {
    if (cause instanceof EventError) return !cause.retriable;
    if (typeof cause.type === 'string' && RECORD_REFUSALS.has(cause.type)) return true;
    cause = cause.cause as typeof cause;
  }
  return false;
}

export function refusalCode(error: unknown): string | undefined {
  const { code, type, name } = (error ?? {}) as { code?: unknown; type?: unknown; name?: unknown };
  for (const value of [code, type, name]) {
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** Options of {@link parkEvents}. */
export interface ParkEventsOptions {
  collection: ParkingCollection;
  aggregateId: string;
  events: CloudEvent[];
  /** Why they can never be sent. */
  error: unknown;
  topic: string;
  /** Names the relay in the log line and the `outbox_events_parked_total` label. */
  relay: string;
  logger: Logger;
}

/**
 * Sets refused events aside in their document's `parkedEvents` (with the reason, its code, the
 * topic and the time) and flags the document ({@link OUTBOX_PARKED}), in one update; logged at
 * error and counted. The caller then clears them from `pendingEvents`.
 */
export async function parkEvents({
  collection,
  aggregateId,
  events,
  error,
  topic,
  relay,
  logger,
}: ParkEventsOptions): Promise<void> {
  const reason = error instanceof Error ? error.message : String(error);
  const code = refusalCode(error);
  const at = new Date();
  const entries: ParkedOutboxEvent[] = events.map((event) => ({
    event,
    reason,
    ...(code && { code }),
    topic,
    at,
  }));
  await collection.updateOne(
    { _id: aggregateId },
    { $push: { parkedEvents: { $each: entries } }, $set: { [OUTBOX_PARKED]: true } },
  );
  eventMetrics().outboxEventsParked.inc({ relay }, events.length);
  logger.error(
    { relay, aggregate: aggregateId, events: events.map((event) => event.id), code, reason },
    'outbox set aside events the broker or their contract refuses; the others flow',
  );
}

/** The collections of a database that carry an outbox: those with the parked flag's index. */
export async function findOutboxCollections(db: mongo.Db): Promise<string[]> {
  const names: string[] = [];
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (name.startsWith('system.')) continue;
    const indexes = await db.collection(name).listIndexes().toArray();
    if (indexes.some((index) => Object.keys(index.key ?? {})[0] === OUTBOX_PARKED)) {
      names.push(name);
    }
  }
  return names;
}

/** Documents of one outbox collection holding parked events (at most `limit` documents). */
export async function findParkedEvents(
  collection: ParkingCollection,
  limit: number,
): Promise<ParkedDoc[]> {
  return (await collection
    .find(PARKED_FILTER, { projection: { parkedEvents: 1 } })
    .limit(limit)
    .toArray()) as ParkedDoc[];
}

/** The parked entry of `eventId` in one document (the first, if it was parked more than once). */
export async function findParkedEvent(
  collection: ParkingCollection,
  aggregateId: string,
  eventId: string,
): Promise<ParkedOutboxEvent | undefined> {
  const doc = (await collection.findOne(
    { _id: aggregateId },
    { projection: { parkedEvents: 1 } },
  )) as ParkedDoc | null;
  return doc?.parkedEvents?.find((entry) => entry.event?.id === eventId);
}

// Compare-and-set attempts of the fallback removal before it gives up (the relay kept parking).
const CAS_ATTEMPTS = 20;

/**
 * Removes every parked entry of `eventId` from its document, then clears the flag if none is
 * left (an update whose filter sees the list empty, so an entry parked meanwhile keeps it).
 * `$pull` by event id where the server supports it, else compare-and-set on the whole list
 * (FerretDB 1.x). Returns whether something was removed.
 */
export async function removeParkedEvent(
  collection: ParkingCollection,
  aggregateId: string,
  eventId: string,
  { pullWithCondition }: MongoCapabilities,
): Promise<boolean> {
  let removed = false;
  if (pullWithCondition) {
    const result = await collection.updateOne(
      { _id: aggregateId, 'parkedEvents.event.id': eventId },
      { $pull: { parkedEvents: { 'event.id': eventId } } },
    );
    removed = result.modifiedCount > 0;
  } else {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const doc = (await collection.findOne(
        { _id: aggregateId },
        { projection: { parkedEvents: 1 } },
      )) as ParkedDoc | null;
      const current = doc?.parkedEvents ?? [];
      const remaining = current.filter((entry) => entry.event?.id !== eventId);
      if (remaining.length === current.length) break;
      const result = await collection.updateOne(
        { _id: aggregateId, parkedEvents: current },
        { $set: { parkedEvents: remaining } },
      );
      if (result.matchedCount === 1) {
        removed = true;
        break;
      }
    }
  }
  await collection.updateOne(
    { _id: aggregateId, 'parkedEvents.0': { $exists: false }, [OUTBOX_PARKED]: true },
    { $unset: { [OUTBOX_PARKED]: '' } },
  );
  return removed;
}
