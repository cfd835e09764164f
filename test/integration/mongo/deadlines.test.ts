import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { createLogger } from '../../../lib/logging';
import { connectMongo, mongoAnswers, type MongoConnection } from '../../../lib/mongo';
import { eventually } from '../../utils/graphqlClient';
import { conformanceTarget } from './conformanceTarget';
import { startSecondServer, type SecondServer } from './startSecondServer';

jest.setTimeout(240_000);

const target = conformanceTarget();
const logger = createLogger({ name: 'deadlines-test', level: 'silent' });
const runDir = join(process.env.SERVICES_CACHE_DIR ?? join(__dirname, '../../../.cache'), 'run');

// A server that accepts connections but stops answering (SIGSTOP: alive, silent) is the case a
// deadline exists for: without one, every call and `/ready` would hang with it.
describe(`database deadlines (${target.kind})`, () => {
  if (!target.restartableKind) {
    it('should answer ping (deadlines NOT exercised: the configured server is not one mongo.sh starts)', async () => {
      console.warn(`deadlines not exercised on ${target.kind}: it cannot be paused from here`);
      const connection = await connectMongo({ uri: target.uri, dbName: 'admin', logger });
      await expect(mongoAnswers(connection)).resolves.toBe(true);
      await connection.close();
    });
    return;
  }
  const kind = target.restartableKind;
  let server: SecondServer;
  let connection: MongoConnection;
  let pid: number;

  beforeAll(async () => {
    server = await startSecondServer(kind);
    pid = Number((await readFile(join(runDir, `mongo-${server.port}.pid`), 'utf8')).trim());
    connection = await connectMongo({
      uri: server.uri,
      dbName: 'deadlines',
      logger,
      timeoutMs: 1500,
    });
  });
  afterAll(async () => {
    if (pid) process.kill(pid, 'SIGCONT');
    await connection?.close().catch(() => undefined);
    await server?.remove();
  });

  it('should fail calls to a server that stopped answering instead of hanging, report it in readiness, and recover when it answers again', async () => {
    const things = connection.collection<{ _id: string; n: number }>('things');
    await things.insertOne({ _id: 'a', n: 1 });
    await expect(mongoAnswers(connection)).resolves.toBe(true);

    process.kill(pid, 'SIGSTOP');
    try {
      await expect(things.findOne({ _id: 'a' })).rejects.toBeInstanceOf(mongoose.mongo.MongoError);
      await expect(things.updateOne({ _id: 'a' }, { $inc: { n: 1 } })).rejects.toBeInstanceOf(
        mongoose.mongo.MongoError,
      );
      await expect(mongoAnswers(connection, 500)).resolves.toBe(false);
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    await eventually(async () => ((await mongoAnswers(connection)) ? true : undefined));
    const after = await things.findOne({ _id: 'a' });
    // The update may or may not have reached the server before it stopped: never applied twice.
    expect([1, 2]).toContain(after?.n);
  });
});
