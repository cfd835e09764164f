import { createDedupStore, ensureDedupIndexes, type ProcessedEvent } from '../../../lib/events';
import type { CloudEvent } from '../../../lib/events';
import { connectMongo, type MongoConnection } from '../../../lib/mongo';
import { eventually } from '../../utils/graphqlClient';
import { createEventsHarness, logger, sleep, updated } from './eventsHarness';

jest.setTimeout(120_000);

describe('createDedupStore', () => {
  let harness: Awaited<ReturnType<typeof createEventsHarness>>;
  let mongo: MongoConnection;
  beforeEach(async () => {
    harness = await createEventsHarness(3);
    mongo = await connectMongo({
      uri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/',
      dbName: `t${harness.suffix}_consumers`,
      logger,
    });
  });
  afterEach(async () => {
    await harness.stop();
    await mongo.dropDatabase().catch(() => undefined);
    await mongo.close();
  });

  it('should apply the same event delivered twice only once', async () => {
    const collection = mongo.collection<ProcessedEvent>('processed_events');
    await ensureDedupIndexes(collection);
    const groupId = harness.group();
    const dedup = createDedupStore({ collection, groupId });
    const applied: string[] = [];
    await harness.consumer({
      groupId,
      dedup,
      metrics: harness.metrics,
      handlers: {
        'component.updated': async (event: CloudEvent) => void applied.push(event.id),
      },
    });
    const event = updated('k1', 1);
    const other = updated('k2', 1);
    await harness.publish([event, other, event]);
    await eventually(async () => (applied.length >= 2 ? true : undefined));
    // Again later, in another batch, as a producer retry or a redrive would.
    await harness.publish([event]);
    await eventually(async () => {
      const skipped = (await harness.metrics.skipped.get()).values.find(
        (v) => v.labels.reason === 'duplicate',
      );
      return skipped?.value === 2 ? true : undefined;
    });
    await sleep(300);
    expect(applied.sort()).toEqual([event.id, other.id].sort());
    const stored = await collection.findOne({ group: groupId, source: '/test', id: event.id });
    const ttl = stored!.expiresAt.getTime() - stored!.processedAt.getTime();
    expect(ttl).toBe(24 * 60 * 60 * 1000);
  });

  it('should forget events after the window and purge them with deleteMany', async () => {
    const collection = mongo.collection<ProcessedEvent>('processed_events');
    await ensureDedupIndexes(collection);
    // Time the test moves, so a slow machine cannot expire the entry before the first look.
    let now = Date.now();
    const dedup = createDedupStore({ collection, groupId: 'g', ttlMs: 50, now: () => now });
    await dedup.remember('/s', 'e1');
    expect(await dedup.seen('/s', 'e1')).toBe(true);
    now += 51;
    expect(await dedup.seen('/s', 'e1')).toBe(false);
    expect(await dedup.purge()).toBe(1);
    expect(await collection.countDocuments()).toBe(0);
  });
});
