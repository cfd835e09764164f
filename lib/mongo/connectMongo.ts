import mongoose from 'mongoose';
import type { Logger } from '../logging';

/** Options of {@link connectMongo}. */
export interface MongoOptions {
  uri: string;
  dbName: string;
  logger: Logger;
  /** Driver command monitoring, used by tests that count database round trips. @default false */
  monitorCommands?: boolean;
  /**
   * Connections in the driver pool. FerretDB 1.x (SQLite) loses concurrent updates of one
   * document sent over different connections; a pool of 1 serialises one process's commands.
   * @default the driver's default (100)
   */
  maxPoolSize?: number;
}

/**
 * Opens a dedicated mongoose connection for one role's database.
 * Index creation is explicit ({@link ensureIndexes}) so start-up fails loudly instead of in the background.
 */
export async function connectMongo({
  uri,
  dbName,
  logger,
  monitorCommands = false,
  maxPoolSize,
}: MongoOptions) {
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    autoCreate: true,
    serverSelectionTimeoutMS: 10_000,
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
