import mongoose, { type mongo } from 'mongoose';

/** The kinds of server scripts/services/mongo.sh can start (and therefore kill and restart). */
export const RESTARTABLE_KINDS = [
  'mongo-java-server',
  'mongod',
  'memory-server',
  'ferretdb',
] as const;
export type RestartableKind = (typeof RESTARTABLE_KINDS)[number];

/** Which MongoDB wire server the suite runs against. */
export interface ConformanceTarget {
  /** The connection string of the server under test. */
  uri: string;
  /** What runs there, as `mongo.sh kind` prints it (e.g. "mongo-java-server 1.47.0", "external"). */
  kind: string;
  /** The mongo.sh kind of that server when this repo starts it itself; undefined otherwise. */
  restartableKind: RestartableKind | undefined;
}

const isRestartableKind = (word: string): word is RestartableKind =>
  (RESTARTABLE_KINDS as readonly string[]).includes(word);

/**
 * Reads the target from the environment: MONGODB_URI, and MONGO_SERVER_KIND as services.env
 * writes it. A MONGODB_URI other than the one services.env wrote (SERVICES_UP_MONGODB_URI) is
 * another server, whatever MONGO_SERVER_KIND still says: mongo.sh calls that one external too.
 */
export function conformanceTarget(env: NodeJS.ProcessEnv = process.env): ConformanceTarget {
  const uri = env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/?directConnection=true';
  const foreign = env.SERVICES_UP_MONGODB_URI !== undefined && uri !== env.SERVICES_UP_MONGODB_URI;
  const kind = foreign
    ? 'external'
    : env.MONGO_SERVER_KIND?.trim() || 'unknown (MONGO_SERVER_KIND is not set)';
  const first = kind.split(/\s+/)[0] ?? '';
  return { uri, kind, restartableKind: isRestartableKind(first) ? first : undefined };
}

/**
 * Short deadlines: a server that stops answering fails a case in seconds, not at jest's timeout.
 * The driver mongoose 9 bundles (7.8) ignores `timeoutMS` (it only warns that the option "has no
 * effect"), so the per-operation deadline is the socket read timeout plus the pool's wait queue.
 */
export const CLIENT_OPTIONS = {
  serverSelectionTimeoutMS: 5_000,
  connectTimeoutMS: 5_000,
  socketTimeoutMS: 20_000,
  waitQueueTimeoutMS: 20_000,
} satisfies mongo.MongoClientOptions;

/** A connected driver client (the driver mongoose bundles), pool of `maxPoolSize`. */
export async function connectTo(uri: string, maxPoolSize = 20): Promise<mongo.MongoClient> {
  const client = new mongoose.mongo.MongoClient(uri, { ...CLIENT_OPTIONS, maxPoolSize });
  await client.connect();
  return client;
}

/** The server's own version string, from buildInfo. */
export async function buildInfoVersion(client: mongo.MongoClient): Promise<string> {
  const info = await client.db('admin').command({ buildInfo: 1 });
  return String(info.version);
}

/** Runs `task(0) … task(n - 1)` all at once. */
export const concurrently = <T>(n: number, task: (i: number) => Promise<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => task(i)));

/** The sorted `_id`s of the documents `filter` matches. */
export const idsOf = async <T extends { _id: string }>(
  collection: mongo.Collection<T>,
  filter: mongo.Filter<T>,
): Promise<string[]> => (await collection.find(filter).toArray()).map((doc) => doc._id).sort();
