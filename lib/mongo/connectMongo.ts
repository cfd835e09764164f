import mongoose from 'mongoose';
import type { PlatformOptions } from '../config/platformOptions';
import type { Logger } from '../logging';
import { serverIdentity } from './capabilities';
import { withDeadline } from './withDeadline';

/** Options of {@link connectMongo}. */
export interface MongoOptions {
  uri: string;
  dbName: string;
  logger: Logger;
  /** Driver command monitoring, used by tests that count database round trips. @default false */
  monitorCommands?: boolean;
  /** Connections in the driver pool. @default the driver's default (100) */
  maxPoolSize?: number;
  /**
   * Deadline of every database call, client side: server selection, the wait for a pooled
   * connection and the wait for each reply (`socketTimeoutMS`: a server that does not answer in
   * time fails the call and its connection is replaced). Driver 7 ignores `timeoutMS`, so these are
   * the deadlines that hold. @default 10000
   */
  timeoutMs?: number;
}

/** Defaults of {@link MongoOptions}. */
export const defaultMongoOptions = {
  monitorCommands: false,
  timeoutMs: 10_000,
} satisfies Partial<MongoOptions>;

/**
 * Opens a dedicated mongoose connection for one role's database.
 * Index creation is explicit ({@link ensureIndexes}) so start-up fails loudly instead of in the background.
 */
export async function connectMongo({
  uri,
  dbName,
  logger,
  monitorCommands = defaultMongoOptions.monitorCommands,
  maxPoolSize,
  timeoutMs = defaultMongoOptions.timeoutMs,
}: MongoOptions) {
  const open = (poolSize: number | undefined) =>
    mongoose
      .createConnection(uri, {
        dbName,
        autoIndex: false,
        autoCreate: true,
        serverSelectionTimeoutMS: timeoutMs,
        waitQueueTimeoutMS: timeoutMs,
        socketTimeoutMS: timeoutMs,
        monitorCommands,
        ...(poolSize !== undefined && { maxPoolSize: poolSize }),
      })
      .asPromise();
  let connection = await open(maxPoolSize);
  const server = await serverIdentity(connection);
  if (server.ferretdb && maxPoolSize === undefined) {
    // FerretDB 1.x loses concurrent updates of one document sent over different connections
    // (docs/mongodb.md): there, and only there, one connection serialises this role's commands.
    await connection.close();
    connection = await open(1);
    logger.warn({ dbName, server: server.version }, 'FerretDB: one connection per role');
  }
  logger.info({ dbName, server: server.version }, 'mongodb connected');
  return connection;
}

/** Creates the indexes declared on every model of the connection (idempotent). */
export async function ensureIndexes(connection: mongoose.Connection): Promise<void> {
  for (const model of Object.values(connection.models)) {
    await model.createCollection().catch((error: unknown) => {
      // Already exists (code 48) is the normal case after the first start.
      if ((error as { code?: number }).code !== 48) throw error;
    });
    await model.createIndexes();
  }
}

export type MongoConnection = mongoose.Connection;

/** The connection options of one role's database, from the platform's shared MongoDB options. */
export function mongoConnectionOptions(
  mongo: PlatformOptions['mongo'],
  role: string,
): Omit<MongoOptions, 'logger'> {
  return {
    uri: mongo.uri,
    dbName: `${mongo.dbPrefix}${role}`,
    timeoutMs: mongo.timeoutMs,
    ...(mongo.poolSize !== undefined && { maxPoolSize: mongo.poolSize }),
  };
}

/** Readiness check: the server answers a ping within `timeoutMs` (a connected but stuck server fails). */
export async function mongoAnswers(
  connection: mongoose.Connection,
  timeoutMs = 2_000,
): Promise<boolean> {
  if (connection.readyState !== 1 || !connection.db) return false;
  return withDeadline(connection.db.command({ ping: 1 }), timeoutMs, 'ping timed out').then(
    () => true,
    () => false,
  );
}
