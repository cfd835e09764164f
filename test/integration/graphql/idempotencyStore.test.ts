import { createIdempotencyStore, type IdempotencyStore } from '../../../lib/graphql';
import { createLogger } from '../../../lib/logging';
import { connectMongo, type MongoConnection } from '../../../lib/mongo';
import { uniqueSuffix } from '../../utils/servicesEnv';

const details = { key: 'retry-1', operation: 'op-hash' };

describe('createIdempotencyStore (MongoDB wire server)', () => {
  let mongo: MongoConnection;
  const stores: IdempotencyStore[] = [];
  const storeWith = async (ttlMs?: number) => {
    const store = createIdempotencyStore({
      connection: mongo,
      ...(ttlMs !== undefined && { ttlMs }),
    });
    await store.start();
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    mongo = await connectMongo({
      uri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/?directConnection=true',
      dbName: `t${uniqueSuffix()}_idempotency`,
      logger: createLogger({ name: 'test', level: 'warn' }),
    });
  });
  afterAll(async () => {
    for (const store of stores) await store.stop();
    await mongo?.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  it('should let exactly one of two concurrent claims win and show the other the pending record', async () => {
    const store = await storeWith();
    const claims = await Promise.all([store.claim('a', details), store.claim('a', details)]);
    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
    const lost = claims.find((claim) => !claim.claimed);
    expect(lost).toMatchObject({ claimed: false, record: { _id: 'a', state: 'pending' } });
  });

  it('should complete and release only for the claim owner', async () => {
    const store = await storeWith();
    const claim = await store.claim('b', details);
    if (!claim.claimed) throw new Error('expected the first claim to win');
    expect(await store.complete('b', 'someone-else', { body: '{}' })).toBe(false);
    await store.release('b', 'someone-else');
    expect(await store.find('b')).toMatchObject({ state: 'pending' });
    expect(await store.complete('b', claim.owner, { body: '{"data":{"x":1}}', status: 400 })).toBe(
      true,
    );
    expect(await store.find('b')).toMatchObject({
      state: 'done',
      response: '{"data":{"x":1}}',
      status: 400,
    });
  });

  it('should free a released claim for the next request', async () => {
    const store = await storeWith();
    const claim = await store.claim('c', details);
    if (!claim.claimed) throw new Error('expected the first claim to win');
    await store.release('c', claim.owner);
    expect(await store.find('c')).toBeNull();
    expect(await store.claim('c', details)).toMatchObject({ claimed: true });
  });

  it('should ignore expired records, claim over them and purge them', async () => {
    // ttlMs 0: every record is expired as soon as it is written.
    const expiring = await storeWith(0);
    expect(await expiring.claim('d', details)).toMatchObject({ claimed: true });
    expect(await expiring.find('d')).toBeNull();
    expect(await expiring.claim('d', details)).toMatchObject({ claimed: true });
    expect(await expiring.purge()).toBeGreaterThanOrEqual(1);
    const live = await storeWith();
    expect(await live.claim('d', details)).toMatchObject({ claimed: true });
    expect(await live.purge()).toBe(0);
    expect(await live.find('d')).toMatchObject({ state: 'pending' });
  });
});
