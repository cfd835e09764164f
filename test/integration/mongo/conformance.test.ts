import mongoose, { type mongo } from 'mongoose';
import { uniqueSuffix } from '../../utils/servicesEnv';
import {
  buildInfoVersion,
  concurrently,
  conformanceTarget,
  connectTo,
  idsOf,
  type ConformanceTarget,
} from './conformanceTarget';
import { killAndRestart } from './durability';

const target: ConformanceTarget = conformanceTarget();
const { Double, Long } = mongoose.mongo;

type Counter = { _id: string; n: number };

describe(`MongoDB conformance (${target.kind})`, () => {
  let client: mongo.MongoClient;
  let db: mongo.Db;

  beforeAll(async () => {
    client = await connectTo(target.uri, 20);
    db = client.db(`conformance_${uniqueSuffix()}`);
    const version = await buildInfoVersion(client);
    console.log(
      `MongoDB conformance against ${target.kind} (buildInfo ${version}) at ${target.uri}, database ${db.databaseName}`,
    );
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  describe('atomic $inc', () => {
    it('should apply 200 concurrent $inc over a pool of 20 exactly once each', async () => {
      const counters = db.collection<Counter>('inc');
      await counters.insertOne({ _id: 'c', n: 0 });
      const results = await concurrently(200, () =>
        counters.updateOne({ _id: 'c' }, { $inc: { n: 1 } }),
      );
      expect(results.filter((result) => result.modifiedCount === 1)).toHaveLength(200);
      expect(await counters.findOne({ _id: 'c' })).toEqual({ _id: 'c', n: 200 });
    });
  });

  describe('compare-and-set', () => {
    it('should let exactly one writer win each version, and lose no write', async () => {
      type Versioned = { _id: string; version: number; writes: string[]; last?: string };
      const docs = db.collection<Versioned>('cas');
      await docs.insertOne({ _id: 'doc', version: 0, writes: [] });
      const WRITERS = 25;
      const ROUNDS = 4;
      const MAX_ATTEMPTS = 10_000;
      const wonVersions: number[] = [];
      let misses = 0;
      await concurrently(WRITERS, async (writer) => {
        for (let round = 0; round < ROUNDS; round++) {
          const write = `w${writer}.${round}`;
          for (let attempt = 1; ; attempt++) {
            if (attempt > MAX_ATTEMPTS) throw new Error(`${write}: no CAS won in ${MAX_ATTEMPTS}`);
            const { version } = (await docs.findOne({ _id: 'doc' })) ?? { version: -1 };
            const result = await docs.updateOne(
              { _id: 'doc', version },
              { $set: { last: write }, $inc: { version: 1 }, $push: { writes: write } },
            );
            if (result.modifiedCount === 1) {
              wonVersions.push(version);
              break;
            }
            misses++;
          }
        }
      });
      console.log(`compare-and-set: ${wonVersions.length} won, ${misses} missed and retried`);
      const all = Array.from({ length: WRITERS * ROUNDS }, (_, i) => i);
      // Two winners of one version would show up here as a duplicate (and a gap at the end).
      expect([...wonVersions].sort((a, b) => a - b)).toEqual(all);
      const final = await docs.findOne({ _id: 'doc' });
      expect(final?.version).toBe(wonVersions.length);
      expect(final?.writes).toHaveLength(WRITERS * ROUNDS);
      expect(new Set(final?.writes).size).toBe(WRITERS * ROUNDS);
    });
  });

  describe('unique index', () => {
    type User = { _id: string; email: string };
    let users: mongo.Collection<User>;
    const seeded = [
      { _id: 'a', email: 'a@example.com' },
      { _id: 'b', email: 'b@example.com' },
    ];
    beforeEach(async () => {
      users = db.collection<User>(`users_${uniqueSuffix()}`);
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertMany(seeded);
    });
    /** A rejected write must not have changed anything. */
    const expectUnchanged = async () =>
      expect(await users.find().sort({ _id: 1 }).toArray()).toEqual(seeded);

    it('should reject a duplicate on insert with code 11000', async () => {
      await expect(users.insertOne({ _id: 'c', email: 'a@example.com' })).rejects.toMatchObject({
        code: 11000,
      });
      await expect(users.insertOne({ _id: 'a', email: 'c@example.com' })).rejects.toMatchObject({
        code: 11000,
      });
      await expectUnchanged();
    });

    it('should reject a duplicate on update with code 11000', async () => {
      await expect(
        users.updateOne({ _id: 'b' }, { $set: { email: 'a@example.com' } }),
      ).rejects.toMatchObject({ code: 11000 });
      await expect(
        users.findOneAndUpdate({ _id: 'b' }, { $set: { email: 'a@example.com' } }),
      ).rejects.toMatchObject({ code: 11000 });
      await expectUnchanged();
    });

    it('should reject a duplicate on upsert with code 11000', async () => {
      await expect(
        users.updateOne({ _id: 'c' }, { $set: { email: 'a@example.com' } }, { upsert: true }),
      ).rejects.toMatchObject({ code: 11000 });
      await expectUnchanged();
    });
  });

  describe('findOneAndUpdate', () => {
    let counters: mongo.Collection<Counter>;
    beforeEach(async () => {
      counters = db.collection<Counter>(`find_and_modify_${uniqueSuffix()}`);
      await counters.insertOne({ _id: 'c', n: 0 });
    });

    it("should return the post-image with returnDocument 'after'", async () => {
      const doc = await counters.findOneAndUpdate(
        { _id: 'c' },
        { $inc: { n: 5 } },
        { returnDocument: 'after' },
      );
      expect(doc).toEqual({ _id: 'c', n: 5 });
    });

    it('should hand 100 concurrent $inc callers 100 distinct post-images', async () => {
      const docs = await concurrently(100, () =>
        counters.findOneAndUpdate({ _id: 'c' }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
      );
      const values = docs.map((doc) => doc?.n ?? -1).sort((a, b) => a - b);
      expect(values).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    });

    it("should return the pre-image with returnDocument 'before'", async () => {
      const doc = await counters.findOneAndUpdate(
        { _id: 'c' },
        { $inc: { n: 1 } },
        { returnDocument: 'before' },
      );
      expect(doc).toEqual({ _id: 'c', n: 0 });
      expect(await counters.findOne({ _id: 'c' })).toEqual({ _id: 'c', n: 1 });
    });

    it('should return null when the filter matches nothing, and change nothing', async () => {
      const doc = await counters.findOneAndUpdate(
        { _id: 'missing' },
        { $inc: { n: 1 } },
        { returnDocument: 'after' },
      );
      expect(doc).toBeNull();
      expect(await counters.find().toArray()).toEqual([{ _id: 'c', n: 0 }]);
    });

    it("should upsert and return the inserted document with returnDocument 'after'", async () => {
      type Upserted = Counter & { createdBy?: string };
      const upserts = counters as unknown as mongo.Collection<Upserted>;
      const upsert = () =>
        upserts.findOneAndUpdate(
          { _id: 'new' },
          { $inc: { n: 1 }, $setOnInsert: { createdBy: 'conformance' } },
          { upsert: true, returnDocument: 'after' },
        );
      expect(await upsert()).toEqual({ _id: 'new', n: 1, createdBy: 'conformance' });
      expect(await upsert()).toEqual({ _id: 'new', n: 2, createdBy: 'conformance' });
    });
  });

  describe('$group', () => {
    it('should compute $sum: 1, $sum of a field and $max in one stage', async () => {
      type Sale = { _id: number; category: string; amount: number };
      const sales = db.collection<Sale>('sales');
      const docs = Array.from({ length: 300 }, (_, i) => ({
        _id: i,
        category: `c${i % 7}`,
        amount: (i * 37) % 101,
      }));
      await sales.insertMany(docs);
      const expected = new Map<string, { count: number; total: number; max: number }>();
      for (const { category, amount } of docs) {
        const group = expected.get(category) ?? { count: 0, total: 0, max: -Infinity };
        expected.set(category, {
          count: group.count + 1,
          total: group.total + amount,
          max: Math.max(group.max, amount),
        });
      }
      const groups = await sales
        .aggregate([
          {
            $group: {
              _id: '$category',
              count: { $sum: 1 },
              total: { $sum: '$amount' },
              max: { $max: '$amount' },
            },
          },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(groups).toEqual(
        [...expected].sort(([a], [b]) => a.localeCompare(b)).map(([_id, g]) => ({ _id, ...g })),
      );
    });
  });

  describe('multikey index', () => {
    type Item = {
      _id: string;
      tags: string[];
      lines?: { sku: string }[];
      nums?: number[];
      code?: string;
    };
    let items: mongo.Collection<Item>;
    const tagged = (tag: string) => idsOf(items, { tags: tag });
    beforeEach(async () => {
      items = db.collection<Item>(`items_${uniqueSuffix()}`);
      await items.createIndex({ tags: 1 });
      await items.createIndex({ 'lines.sku': 1 });
      await items.createIndex({ nums: 1 });
      await items.insertMany([
        { _id: 'a', tags: ['red', 'blue'], lines: [{ sku: 's1' }, { sku: 's2' }], nums: [1, 2.5] },
        { _id: 'b', tags: ['blue'], lines: [{ sku: 's2' }], nums: [2] },
        { _id: 'c', tags: ['green', 'red', 'red'] },
        { _id: 'd', tags: [] },
      ]);
    });

    it('should find by one element exactly the documents containing it', async () => {
      expect(await tagged('red')).toEqual(['a', 'c']);
      expect(await tagged('blue')).toEqual(['a', 'b']);
      expect(await tagged('none')).toEqual([]);
      expect(await idsOf(items, { tags: { $in: ['green', 'blue'] } })).toEqual(['a', 'b', 'c']);
      expect(await idsOf(items, { tags: 'red', _id: { $ne: 'a' } })).toEqual(['c']);
      expect(await idsOf(items, { 'lines.sku': 's2' })).toEqual(['a', 'b']);
      // Numbers compare by value across BSON types, as on MongoDB.
      expect(await idsOf(items, { nums: new Double(1) })).toEqual(['a']);
      expect(await idsOf(items, { nums: Long.fromNumber(2) })).toEqual(['b']);
    });

    it('should follow updates that remove, add and replace elements', async () => {
      await items.updateOne({ _id: 'a' }, { $pull: { tags: 'red' } });
      expect(await tagged('red')).toEqual(['c']);
      await items.updateOne({ _id: 'b' }, { $push: { tags: 'red' } });
      expect(await tagged('red')).toEqual(['b', 'c']);
      await items.updateOne({ _id: 'c' }, { $set: { tags: ['yellow'] } });
      expect(await tagged('red')).toEqual(['b']);
      expect(await tagged('green')).toEqual([]);
      expect(await tagged('yellow')).toEqual(['c']);
      await items.replaceOne({ _id: 'b' }, { tags: ['green'] });
      expect(await tagged('red')).toEqual([]);
      expect(await tagged('blue')).toEqual(['a']);
      await items.updateMany({ tags: 'green' }, { $addToSet: { tags: 'purple' } });
      expect(await tagged('purple')).toEqual(['b']);
      await items.findOneAndUpdate({ _id: 'd' }, { $push: { tags: 'purple' } });
      expect(await tagged('purple')).toEqual(['b', 'd']);
      await items.updateOne({ _id: 'e' }, { $set: { tags: ['purple'] } }, { upsert: true });
      expect(await tagged('purple')).toEqual(['b', 'd', 'e']);
      await items.updateOne({ _id: 'a' }, { $set: { 'lines.0.sku': 's9' } });
      expect(await idsOf(items, { 'lines.sku': 's1' })).toEqual([]);
      expect(await idsOf(items, { 'lines.sku': 's9' })).toEqual(['a']);
    });

    it('should forget deleted documents', async () => {
      await items.deleteOne({ _id: 'a' });
      expect(await tagged('blue')).toEqual(['b']);
      await items.deleteMany({ tags: 'red' });
      expect(await tagged('red')).toEqual([]);
      expect(await tagged('green')).toEqual([]);
      await items.insertOne({ _id: 'a', tags: ['green'] });
      expect(await tagged('blue')).toEqual(['b']);
      expect(await tagged('green')).toEqual(['a']);
    });

    it('should stay as it was when a unique index rejects the write', async () => {
      await items.createIndex({ code: 1 }, { unique: true, sparse: true });
      await items.updateOne({ _id: 'a' }, { $set: { code: 'A' } });
      await expect(
        items.updateOne({ _id: 'b' }, { $set: { code: 'A', tags: ['grey'] } }),
      ).rejects.toMatchObject({ code: 11000 });
      await expect(items.insertOne({ _id: 'f', tags: ['grey'], code: 'A' })).rejects.toMatchObject({
        code: 11000,
      });
      expect(await tagged('grey')).toEqual([]);
      expect(await tagged('blue')).toEqual(['a', 'b']);
    });
  });

  describe('sort, limit and $in', () => {
    type Row = { _id: string; rank: number; ref: string };
    let rows: mongo.Collection<Row>;
    let sorted: Row[];
    beforeAll(async () => {
      rows = db.collection<Row>('paging');
      const ids = new Set<string>();
      while (ids.size < 1_000) ids.add(`p${uniqueSuffix()}`);
      // Inserted in random _id order; 40 ranks of 25 rows, so pages break inside runs of ties.
      const docs = [...ids].map((_id, i) => ({ _id, rank: i % 40, ref: `r${i}` }));
      await rows.createIndex({ rank: 1, _id: 1 });
      await rows.createIndex({ ref: 1 });
      await rows.insertMany(docs);
      sorted = [...docs].sort((a, b) => a.rank - b.rank || (a._id < b._id ? -1 : 1));
    });

    it('should visit every document exactly once, in order, paging by (rank, _id) with limit 50', async () => {
      const visited: Row[] = [];
      let pages = 0;
      for (;;) {
        const last = visited.at(-1);
        const filter: mongo.Filter<Row> = last
          ? { $or: [{ rank: { $gt: last.rank } }, { rank: last.rank, _id: { $gt: last._id } }] }
          : {};
        const page = await rows.find(filter).sort({ rank: 1, _id: 1 }).limit(50).toArray();
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(50);
        visited.push(...page);
        pages++;
        if (pages > 25) throw new Error(`paging does not end: ${visited.length} rows visited`);
      }
      expect(pages).toBe(20);
      expect(visited).toEqual(sorted);
    });

    it('should return exactly the 20 documents named by $in, on _id and on an indexed field', async () => {
      const picked = sorted.filter((_, i) => i % 50 === 7);
      expect(picked).toHaveLength(20);
      const byId = await idsOf(rows, { _id: { $in: picked.map((row) => row._id) } });
      expect(byId).toEqual(picked.map((row) => row._id).sort());
      const byRef = await idsOf(rows, { ref: { $in: picked.map((row) => row.ref) } });
      expect(byRef).toEqual(byId);
      expect(await idsOf(rows, { rank: 7 })).toHaveLength(25);
    });
  });

  if (target.restartableKind) {
    const kind = target.restartableKind;
    describe(`durability across SIGKILL (a second ${kind} started by mongo.sh)`, () => {
      it('should keep every acknowledged write and answer from its indexes after kill -9 and restart', async () => {
        const report = await killAndRestart(kind);
        expect(report.recovered).toHaveLength(report.acknowledged.length);
        expect(report.recovered).toEqual(report.acknowledged);
        expect(report.recoveredByTag).toEqual(report.expectedByTag);
        expect(report.staleAfterUpdate).toBe(false);
      }, 300_000);
    });
  } else {
    it(`should answer ping (durability NOT exercised: ${target.kind} is not a server this repo starts)`, async () => {
      console.warn(
        `MongoDB conformance: durability across a restart was NOT exercised against ${target.kind}: ` +
          'only servers scripts/services/mongo.sh starts (mongo-java-server, mongod, memory-server, ferretdb) can be killed and restarted here.',
      );
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    });
  }
});
