import mongoose from 'mongoose';
import type { PlatformOptions } from '../config/platformOptions';
import type { Logger } from '../logging';

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
   * Deadline of every operation, server selection and pool wait included (the driver's
   * client-side operation timeout, `timeoutMS`): a slow or stuck server fails the call with a
   * timeout error instead of hanging it. @default 10000
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
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    autoCreate: true,
    serverSelectionTimeoutMS: timeoutMs,
    timeoutMS: timeoutMs,
    monitorCommands,
    ...(maxPoolSize !== undefined && { maxPoolSize }),
  });
  await connection.asPromise();
  logger.info({ dbName }, 'mongodb connected');
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
  return connection.db
    .command({ ping: 1 }, { timeoutMS: timeoutMs })
    .then(() => true)
    .catch(() => false);
}
