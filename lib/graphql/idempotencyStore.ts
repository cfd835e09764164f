import { randomUUID } from 'node:crypto';
import type { mongo } from 'mongoose';
import type { MongoConnection } from '../mongo';
// Not from '../mongo': its index loads mongoose (≈0.3 s), and the gateway, which reaches this
// module through lib/graphql without ever storing a record, must not pay for it at start-up.
import { withDeadline } from '../mongo/withDeadline';

/** A stored idempotent request: claimed while it runs, then holding its response. */
export interface IdempotencyRecord {
  /** {@link idempotencyRecordId}: sha256 of (caller, key, operation text + variables). */
  _id: string;
  /** The client's key, for looking records up by hand. */
  key: string;
  /** sha256 of the operation text, name and variables. */
  operation: string;
  /** Random token of the request holding the claim: only it completes or releases the record. */
  owner: string;
  state: 'pending' | 'done';
  /** The GraphQL response body (`data` and `errors`) as JSON text, once done. */
  response?: string;
  /** HTTP status of that response, when it was not the default 200. */
  status?: number;
  createdAt: Date;
  completedAt?: Date;
  /** After this the record is ignored, and purged by {@link IdempotencyStore.purge}. */
  expiresAt: Date;
}

/** Outcome of {@link IdempotencyStore.claim}. */
export type IdempotencyClaim =
  { claimed: true; owner: string } | { claimed: false; record: IdempotencyRecord | null };

/** What a completed request stores. */
export interface IdempotentResponse {
  /** JSON text of `{ data, errors }`. */
  body: string;
  status?: number;
}

/** Claims, completes and replays idempotent requests in one subgraph's database. */
export interface IdempotencyStore {
  /** Inserts a pending record; `claimed: false` with the current record when one exists. */
  claim(id: string, details: { key: string; operation: string }): Promise<IdempotencyClaim>;
  /** The live (unexpired) record, or null. */
  find(id: string): Promise<IdempotencyRecord | null>;
  /** Stores the response of a claimed request; false when the claim was no longer ours. */
  complete(id: string, owner: string, response: IdempotentResponse): Promise<boolean>;
  /** Deletes a claim whose request did not run, so a retry can run it. */
  release(id: string, owner: string): Promise<void>;
  /** Deletes expired records; returns how many. */
  purge(): Promise<number>;
  /** Creates the purge index and starts the periodic purge. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link createIdempotencyStore}. */
export interface IdempotencyStoreOptions {
  /** The subgraph's own database connection. */
  connection: MongoConnection;
  /** @default 'idempotency_records' */
  collectionName?: string;
  /** How long a record (pending or done) is kept. @default 24 hours */
  ttlMs?: number;
  /**
   * Purge period: expiry is a periodic deleteMany, since the embedded MongoDB-wire servers have no
   * TTL indexes. @default 10 minutes
   */
  purgeIntervalMs?: number;
  /** Deadline of each database call (`maxTimeMS`, and the same bound on the client side). @default 5000 */
  dbTimeoutMs?: number;
}

/** Defaults of {@link IdempotencyStoreOptions}. */
export const defaultIdempotencyStoreOptions = {
  collectionName: 'idempotency_records',
  ttlMs: 24 * 60 * 60 * 1000,
  purgeIntervalMs: 10 * 60 * 1000,
  dbTimeoutMs: 5_000,
} satisfies Partial<IdempotencyStoreOptions>;

const DUPLICATE_KEY = 11000;

const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === DUPLICATE_KEY;

/** Creates an {@link IdempotencyStore} over a MongoDB collection (no TTL index, no transactions). */
export function createIdempotencyStore(options: IdempotencyStoreOptions): IdempotencyStore {
  const { collectionName, ttlMs, purgeIntervalMs, dbTimeoutMs } = {
    ...defaultIdempotencyStoreOptions,
    ...options,
  };
  const collection: mongo.Collection<IdempotencyRecord> =
    options.connection.collection<IdempotencyRecord>(collectionName);
  const maxTimeMS = dbTimeoutMs;
  // maxTimeMS bounds the server's work; this bounds the wait for a connection or a stuck server.
  const bounded = <T>(what: string, call: Promise<T>): Promise<T> =>
    withDeadline(call, dbTimeoutMs, `idempotency store: ${what} took over ${dbTimeoutMs} ms`);
  let timer: NodeJS.Timeout | undefined;

  const find = (id: string) =>
    bounded('find', collection.findOne({ _id: id, expiresAt: { $gt: new Date() } }, { maxTimeMS }));
  const purge = async () => {
    const result = await bounded(
      'purge',
      collection.deleteMany({ expiresAt: { $lte: new Date() } }, { maxTimeMS }),
    );
    return result.deletedCount;
  };
  const release = async (id: string, owner: string) => {
    await bounded('release', collection.deleteOne({ _id: id, owner }, { maxTimeMS }));
  };

  return {
    async claim(id, details) {
      const owner = randomUUID();
      // Twice at most: the second attempt follows the removal of an expired, unpurged record.
      for (let attempt = 0; attempt < 2; attempt++) {
        const now = new Date();
        try {
          await bounded(
            'claim',
            collection.insertOne(
              {
                _id: id,
                ...details,
                owner,
                state: 'pending',
                createdAt: now,
                expiresAt: new Date(now.getTime() + ttlMs),
              },
              { maxTimeMS },
            ),
          );
          return { claimed: true, owner };
        } catch (error) {
          if (!isDuplicateKey(error)) {
            // The insert may have landed after all: without its owner the record would block the key.
            await release(id, owner).catch(() => undefined);
            throw error;
          }
        }
        const record = await find(id);
        if (record) return { claimed: false, record };
        await bounded(
          'remove expired',
          collection.deleteOne({ _id: id, expiresAt: { $lte: new Date() } }, { maxTimeMS }),
        );
      }
      return { claimed: false, record: null };
    },
    find,
    async complete(id, owner, response) {
      const result = await bounded(
        'complete',
        collection.updateOne(
          { _id: id, owner, state: 'pending' },
          {
            $set: {
              state: 'done',
              response: response.body,
              ...(response.status !== undefined && { status: response.status }),
              completedAt: new Date(),
            },
          },
          { maxTimeMS },
        ),
      );
      return result.matchedCount === 1;
    },
    release,
    purge,
    async start() {
      await bounded('create index', collection.createIndex({ expiresAt: 1 }, { maxTimeMS }));
      timer = setInterval(() => void purge().catch(() => undefined), purgeIntervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
