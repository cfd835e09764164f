import type { mongo } from 'mongoose';
import { uniqueSuffix } from '../../utils/servicesEnv';
import { concurrently, connectTo, idsOf, type RestartableKind } from './conformanceTarget';
import { startSecondServer } from './startSecondServer';

type Doc = { _id: string; tags: string[]; state: string; n?: number };

const DOCS = 200;
const id = (i: number) => `d${String(i).padStart(4, '0')}`;
const TAGS = ['t0', 't1', 't2', 't3', 't4', 'all', 'moved'];

/** What the multikey index on `tags` must answer for each tag, given the acknowledged state. */
const expectedByTag = (expected: Map<string, Doc>) =>
  Object.fromEntries(
    TAGS.map((tag) => {
      const ids = [...expected.values()].filter((doc) => doc.tags.includes(tag));
      return [tag, ids.map((doc) => doc._id).sort()];
    }),
  );

async function actualByTag(docs: mongo.Collection<Doc>) {
  const entries = await Promise.all(
    TAGS.map(async (tag) => [tag, await idsOf(docs, { tags: tag })] as const),
  );
  return Object.fromEntries(entries);
}

/** What a kill -9 and restart left, next to what the server had acknowledged before. */
export interface DurabilityReport {
  /** Every document as acknowledged before SIGKILL, sorted by `_id`. */
  acknowledged: Doc[];
  /** Every document found after the restart, sorted by `_id`. */
  recovered: Doc[];
  /** Per tag, the `_id`s the acknowledged state contains / the restarted server's index returns. */
  expectedByTag: Record<string, string[]>;
  recoveredByTag: Record<string, string[]>;
  /** Whether the document whose tag was removed after the restart is still returned for it. */
  staleAfterUpdate: boolean;
}

/**
 * Starts a second server of `kind`, writes acknowledged inserts, updates, deletes and `$inc`s,
 * SIGKILLs it right after the last acknowledgement, restarts it on the same data dir and asserts
 * that every acknowledged write is there and that the multikey index (rebuilt at start on the
 * embedded server) answers from the recovered data and keeps being maintained.
 */
export async function killAndRestart(kind: RestartableKind): Promise<DurabilityReport> {
  const server = await startSecondServer(kind);
  try {
    const dbName = `durability_${uniqueSuffix()}`;
    // What the server acknowledged, updated only after each acknowledgement.
    const expected = new Map<string, Doc>();
    let client = await connectTo(server.uri, 10);
    let docs = client.db(dbName).collection<Doc>('docs');
    try {
      await docs.createIndex({ tags: 1 });
      for (let batch = 0; batch < DOCS / 20; batch++) {
        await concurrently(20, async (j) => {
          const doc: Doc = { _id: id(batch * 20 + j), tags: [`t${j % 5}`, 'all'], state: 'new' };
          await docs.insertOne({ ...doc });
          expected.set(doc._id, doc);
        });
      }
      await concurrently(50, async (i) => {
        await docs.updateOne(
          { _id: id(i) },
          { $set: { state: 'updated' }, $pull: { tags: 'all' } },
        );
        await docs.updateOne({ _id: id(i) }, { $push: { tags: 'moved' } });
        const doc = expected.get(id(i))!;
        expected.set(doc._id, { ...doc, state: 'updated', tags: [doc.tags[0]!, 'moved'] });
      });
      await concurrently(20, async (i) => {
        await docs.deleteOne({ _id: id(DOCS - 1 - i) });
        expected.delete(id(DOCS - 1 - i));
      });
      const counter: Doc = { _id: 'counter', tags: [], state: 'counting', n: 0 };
      await docs.insertOne({ ...counter });
      await concurrently(100, () => docs.updateOne({ _id: 'counter' }, { $inc: { n: 1 } }));
      expected.set('counter', { ...counter, n: 100 });
      // The very last acknowledged write, then SIGKILL at once.
      await docs.updateOne({ _id: id(0) }, { $set: { state: 'last' }, $push: { tags: 'all' } });
      expected.set(id(0), { ...expected.get(id(0))!, state: 'last', tags: ['t0', 'moved', 'all'] });
      await server.kill();
    } finally {
      await client.close();
    }

    await server.start();
    client = await connectTo(server.uri, 10);
    docs = client.db(dbName).collection<Doc>('docs');
    try {
      const recovered = await docs.find().sort({ _id: 1 }).toArray();
      const recoveredByTag = await actualByTag(docs);
      // The index rebuilt at start must be maintained like any other.
      await docs.updateOne({ _id: id(1) }, { $pull: { tags: 't1' } });
      const staleAfterUpdate = (await idsOf(docs, { tags: 't1' })).includes(id(1));
      await client.db(dbName).dropDatabase();
      return {
        acknowledged: [...expected.values()].sort((a, b) => (a._id < b._id ? -1 : 1)),
        recovered,
        expectedByTag: expectedByTag(expected),
        recoveredByTag,
        staleAfterUpdate,
      };
    } finally {
      await client.close();
    }
  } finally {
    await server.remove();
  }
}
