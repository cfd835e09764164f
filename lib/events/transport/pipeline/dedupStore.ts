import type { mongo } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;

/** Remembers which events a consumer group has applied, so a redelivered event is applied once. */
export interface DedupStore {
  /** Whether (source, id) was already processed by this group. */
  seen(source: string, id: string): Promise<boolean>;
  /** Records (source, id) as processed; a concurrent duplicate is not an error. */
  remember(source: string, id: string): Promise<void>;
  /** Deletes entries past their expiry; returns how many. */
  purge(): Promise<number>;
  /** Starts the periodic purge. */
  start(): void;
  stop(): Promise<void>;
}

/** Options of {@link createDedupStore}. */
export interface DedupStoreOptions {
  /** The `processed_events` collection (native driver; `connection.collection(…)` in mongoose). */
  collection: Collection<ProcessedEvent>;
  groupId: string;
  /** How long an event id is remembered. @default 24 hours */
  ttlMs?: number;
  /** Purge period (FerretDB has no TTL index, so expiry is a periodic deleteMany). @default 10 minutes */
  purgeIntervalMs?: number;
  /** The time (ms since epoch) entries are stamped and expired with. @default Date.now */
  now?: () => number;
}

/** A document of the `processed_events` collection. */
export interface ProcessedEvent {
  group: string;
  source: string;
  id: string;
  processedAt: Date;
  expiresAt: Date;
}

const DUPLICATE_KEY = 11000;

/** Creates the indexes of the collection: unique (group, source, id) and expiresAt for the purge. */
export async function ensureDedupIndexes(collection: Collection<ProcessedEvent>): Promise<void> {
  await collection.createIndex({ group: 1, source: 1, id: 1 }, { unique: true });
  await collection.createIndex({ expiresAt: 1 });
}

/** Creates a {@link DedupStore} over MongoDB (works on FerretDB: no TTL index, no transactions). */
export function createDedupStore({
  collection,
  groupId,
  ttlMs = 24 * 60 * 60 * 1000,
  purgeIntervalMs = 10 * 60 * 1000,
  now: clock = Date.now,
}: DedupStoreOptions): DedupStore {
  let timer: NodeJS.Timeout | undefined;
  const purge = async () => {
    const result = await collection.deleteMany({ expiresAt: { $lt: new Date(clock()) } });
    return result.deletedCount;
  };
  return {
    async seen(source, id) {
      // An expired entry not purged yet must not count: the window is ttlMs, not "until purged".
      const found = await collection.findOne(
        { group: groupId, source, id, expiresAt: { $gt: new Date(clock()) } },
        { projection: { _id: 1 } },
      );
      return found !== null;
    },
    async remember(source, id) {
      const now = new Date(clock());
      try {
        await collection.updateOne(
          { group: groupId, source, id },
          { $set: { processedAt: now, expiresAt: new Date(now.getTime() + ttlMs) } },
          { upsert: true },
        );
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      }
    },
    purge,
    start() {
      timer = setInterval(() => void purge().catch(() => undefined), purgeIntervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}

/** A dedup store in memory (the fast tier and the contract suite); forgets nothing. */
export function createMemoryDedupStore(): DedupStore {
  const seen = new Set<string>();
  const key = (source: string, id: string) => `${source}\u0000${id}`;
  return {
    seen: async (source, id) => seen.has(key(source, id)),
    async remember(source, id) {
      seen.add(key(source, id));
    },
    purge: async () => 0,
    start: () => undefined,
    stop: async () => undefined,
  };
}
