import type mongoose from 'mongoose';
import type { PlatformOptions } from '../../../lib/config';
import {
  EventError,
  findParkedEvent,
  findOutboxCollections,
  findParkedEvents,
  type ParkedDoc,
  platformContracts,
  removeParkedEvent,
  type CloudEvent,
  type EventContracts,
  type ParkedOutboxEvent,
} from '../../../lib/events';
import type { Logger } from '../../../lib/logging';
import { connectMongo, mongoCapabilities, mongoConnectionOptions } from '../../../lib/mongo';

/**
 * Parked events of every role's outbox: listed, retried (optionally with corrected data) and
 * discarded by operators. Parked events live in the aggregate documents of each role's database
 * (`parkedEvents`, see lib/events/outbox/parking.ts); reading and changing those documents from
 * here is the operations role's job, the same way it rewinds other roles' consumer groups: the
 * owning role only ever appends to `parkedEvents`, never reads it, so nothing else competes.
 */

/** Roles whose databases hold outboxes. */
export const OUTBOX_ROLES = ['registry', 'intelligence', 'workflow'] as const;
export type OutboxRole = (typeof OUTBOX_ROLES)[number];

/** A parked event with where it is: what the operations API lists. */
export interface ParkedEventEntry extends ParkedOutboxEvent {
  /** Opaque: role, collection, aggregate id and event id. */
  id: string;
  role: OutboxRole;
  database: string;
  collection: string;
  aggregateId: string;
}

/** Why a parked-event operation was refused; the GraphQL layer maps `code` to extensions.code. */
export class ParkedEventError extends Error {
  override readonly name = 'ParkedEventError';
  constructor(
    readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The database of each outbox role, named as the roles name them (`mongoConnectionOptions`). */
export function parkedEventDatabases(
  mongo: PlatformOptions['mongo'],
  roles: readonly OutboxRole[] = OUTBOX_ROLES,
): Partial<Record<OutboxRole, string>> {
  return Object.fromEntries(
    roles.map((role) => [role, mongoConnectionOptions(mongo, role).dbName]),
  ) as Partial<Record<OutboxRole, string>>;
}

/** Where parked events are found, read and removed. */
export interface ParkedEventStore {
  /** Oldest first, at most `first`, of one role or all. */
  list(options: { role?: OutboxRole; first: number }): Promise<ParkedEventEntry[]>;
  /** The entry behind an id; NOT_FOUND when it is gone, BAD_USER_INPUT for a malformed id. */
  get(id: string): Promise<ParkedEventEntry>;
  /** Removes the entry's event from its document's parked set; false when it was already gone. */
  remove(entry: ParkedEventEntry): Promise<boolean>;
}

/** Options of {@link createParkedEventStore}. */
export interface ParkedEventStoreOptions {
  /**
   * Any connection to the server, or how to open it on first use; each role's database is reached
   * through `useDb` (one pool).
   */
  connection: mongoose.Connection | (() => Promise<mongoose.Connection>);
  /** The databases to look in, by role ({@link parkedEventDatabases}). */
  databases: Partial<Record<OutboxRole, string>>;
}

const encodeId = (parts: [OutboxRole, string, string, string]) =>
  Buffer.from(JSON.stringify(parts)).toString('base64url');

function decodeId(id: string): [OutboxRole, string, string, string] {
  try {
    const parts = JSON.parse(Buffer.from(id, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parts) &&
      parts.length === 4 &&
      parts.every((part) => typeof part === 'string' && part)
    ) {
      return parts as [OutboxRole, string, string, string];
    }
  } catch {
    // falls through to the refusal below
  }
  throw new ParkedEventError('BAD_USER_INPUT', `id: "${id}" is not a parked event id`, {
    field: 'id',
  });
}

/** Creates the store over the role databases of one server. */
export function createParkedEventStore({
  connection,
  databases,
}: ParkedEventStoreOptions): ParkedEventStore {
  const dbOf = async (role: OutboxRole) => {
    const name = databases[role];
    if (name === undefined) return undefined;
    const base = typeof connection === 'function' ? await connection() : connection;
    return base.useDb(name, { useCache: true });
  };

  function toEntry(
    role: OutboxRole,
    collection: string,
    aggregateId: string,
    parked: ParkedOutboxEvent,
  ): ParkedEventEntry {
    return {
      ...parked,
      id: encodeId([role, collection, aggregateId, parked.event.id]),
      role,
      database: databases[role]!,
      collection,
      aggregateId,
    };
  }

  return {
    async list({ role, first }) {
      const roles = role ? [role] : OUTBOX_ROLES.filter((each) => databases[each] !== undefined);
      const entries: ParkedEventEntry[] = [];
      for (const each of roles) {
        const db = await dbOf(each);
        if (!db) continue;
        for (const name of await findOutboxCollections(db.db!)) {
          for (const doc of await findParkedEvents(db.collection<ParkedDoc>(name), first)) {
            const seen = new Set<string>();
            for (const parked of doc.parkedEvents ?? []) {
              // Parked twice (a crash between parking and clearing): listed once.
              if (!parked.event?.id || seen.has(parked.event.id)) continue;
              seen.add(parked.event.id);
              entries.push(toEntry(each, name, doc._id, parked));
            }
          }
        }
      }
      const time = (entry: ParkedEventEntry) => new Date(entry.at).getTime() || 0;
      return entries.sort((a, b) => time(a) - time(b)).slice(0, first);
    },
    async get(id) {
      const [role, collection, aggregateId, eventId] = decodeId(id);
      const db = OUTBOX_ROLES.includes(role) ? await dbOf(role) : undefined;
      const parked =
        db && (await findParkedEvent(db.collection<ParkedDoc>(collection), aggregateId, eventId));
      if (!parked) {
        throw new ParkedEventError('NOT_FOUND', `parked event ${id} not found`, { id, eventId });
      }
      return toEntry(role, collection, aggregateId, parked);
    },
    async remove(entry) {
      const db = (await dbOf(entry.role))!;
      return removeParkedEvent(
        db.collection<ParkedDoc>(entry.collection),
        entry.aggregateId,
        entry.event.id,
        // Probed in the role's own database, where its relay probes too.
        await mongoCapabilities(db),
      );
    },
  };
}

/** Options of {@link openParkedEventStore}. */
export interface OpenParkedEventStoreOptions {
  mongo: PlatformOptions['mongo'];
  logger: Logger;
  /** @default every outbox role */
  roles?: readonly OutboxRole[];
}

/**
 * The store as the operations role runs it: its own connection, opened on first use (the role
 * starts and serves its other operations while MongoDB is away), closed by `stop`.
 */
export function openParkedEventStore({
  mongo,
  logger,
  roles,
}: OpenParkedEventStoreOptions): ParkedEventStore & { stop(): Promise<void> } {
  let connecting: Promise<mongoose.Connection> | undefined;
  const connection = () => {
    connecting ??= connectMongo({ ...mongoConnectionOptions(mongo, 'operations'), logger }).catch(
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  };
  const store = createParkedEventStore({
    connection,
    databases: parkedEventDatabases(mongo, roles),
  });
  return {
    ...store,
    async stop() {
      const open = connecting;
      connecting = undefined;
      if (open) await (await open.catch(() => undefined))?.close();
    },
  };
}

/** Sends events to a topic: a transport's or publisher's `publish`. */
export type PublishEvents = (topic: string, events: CloudEvent[]) => Promise<void>;

/** Options of {@link retryParkedEvent}. */
export interface RetryParkedEventOptions {
  store: ParkedEventStore;
  id: string;
  /** Replaces the event's `data` (same id, type and sequence); absent: sent as parked. */
  data?: unknown;
  publish: PublishEvents;
  /** The topic of an event parked before the relay recorded it. */
  fallbackTopic?: (role: OutboxRole) => string | undefined;
  /** @default the platform's contracts */
  contracts?: EventContracts;
  logger: Logger;
}

/** What {@link retryParkedEvent} sent. */
export interface RetriedParkedEvent {
  entry: ParkedEventEntry;
  topic: string;
  event: CloudEvent;
}

/**
 * Validates the parked event (with `data` replaced if given) against its contract, publishes it
 * to its topic, then removes it from the parked set. Invalid: BAD_USER_INPUT and nothing is sent
 * or removed. A publish failure leaves it parked. A crash between the publish and the removal
 * leaves it listed: a second retry sends the same event id again, which consumers deduplicate.
 * It arrives after events of its aggregate that flowed meanwhile (a lower `sequence` late).
 */
export async function retryParkedEvent({
  store,
  id,
  data,
  publish,
  fallbackTopic,
  contracts = platformContracts(),
  logger,
}: RetryParkedEventOptions): Promise<RetriedParkedEvent> {
  const entry = await store.get(id);
  const event: CloudEvent = data === undefined ? entry.event : { ...entry.event, data };
  try {
    contracts.validate(event as unknown as Record<string, unknown>);
  } catch (error) {
    if (!(error instanceof EventError)) throw error;
    throw new ParkedEventError('BAD_USER_INPUT', `data: ${error.message}`, {
      field: 'data',
      contractCode: error.code,
      eventType: event.type,
    });
  }
  const topic = entry.topic ?? fallbackTopic?.(entry.role);
  if (!topic) {
    throw new ParkedEventError('NOT_FOUND', `parked event ${id} records no topic`, { id });
  }
  await publish(topic, [event]);
  await store.remove(entry);
  logger.warn(
    {
      eventId: event.id,
      type: event.type,
      topic,
      role: entry.role,
      replacedData: data !== undefined,
    },
    'parked event retried and published',
  );
  return { entry, topic, event };
}

/**
 * Removes a parked event for good; the log line (with the whole event) is what remains of it.
 * NOT_FOUND when it is gone (already retried or discarded).
 */
export async function discardParkedEvent(
  store: ParkedEventStore,
  id: string,
  logger: Logger,
): Promise<ParkedEventEntry> {
  const entry = await store.get(id);
  if (!(await store.remove(entry))) {
    throw new ParkedEventError('NOT_FOUND', `parked event ${id} not found`, { id });
  }
  logger.warn(
    { eventId: entry.event.id, role: entry.role, event: entry.event, reason: entry.reason },
    'parked event discarded',
  );
  return entry;
}
