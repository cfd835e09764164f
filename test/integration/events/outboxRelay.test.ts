import mongoose from 'mongoose';
import {
  createEvent,
  createOutboxRelay,
  eventMetrics,
  EventValidationError,
  outboxSchemaFields,
  type CloudEvent,
  type EventPublisher,
  type OutboxRelay,
} from '../../../lib/events';
import { connectMongo, ensureIndexes, type MongoConnection } from '../../../lib/mongo';
import { eventually } from '../../utils/graphqlClient';
import { uniqueSuffix } from '../../utils/servicesEnv';
import { logger } from './eventsHarness';

jest.setTimeout(120_000);

// The relay's way to Kafka is covered by the event tests; here the publisher records what the
// relay hands it, and can be made to fail, so the database side is what is under test.
function recordingPublisher() {
  const published: CloudEvent[] = [];
  let failing = false;
  const publisher: EventPublisher = {
    async publish(_topic, events) {
      if (failing) throw Object.assign(new Error('broker unavailable'), { retriable: true });
      published.push(...events);
    },
    async disconnect() {},
  };
  return { publisher, published, fail: (value: boolean) => (failing = value) };
}

interface AggregateDoc {
  _id: string;
  pendingEvents: CloudEvent[];
  eventSequence: number;
  outboxPending?: boolean;
  parkedEvents?: { event: CloudEvent; reason: string }[];
}

function eventFor(id: string, sequence: number) {
  return createEvent({
    type: 'component.used',
    source: '/test/outbox',
    subject: id,
    sequence,
    data: { componentId: id },
  });
}

/** Appends one event the way the platform's writers do: compare-and-set on eventSequence. */
async function append(model: mongoose.Model<AggregateDoc>, id: string): Promise<CloudEvent> {
  for (;;) {
    const current = await model.findById(id).lean<AggregateDoc>();
    const sequence = (current?.eventSequence ?? 0) + 1;
    const event = eventFor(id, sequence);
    const result = await model.updateOne(
      { _id: id, eventSequence: current?.eventSequence ?? 0 },
      {
        $push: { pendingEvents: event },
        $set: { eventSequence: sequence, outboxPending: true },
      },
    );
    if (result.matchedCount === 1) return event;
  }
}

describe('createOutboxRelay', () => {
  let mongo: MongoConnection;
  let model: mongoose.Model<AggregateDoc>;
  let relay: OutboxRelay | undefined;
  const topic = `outbox-${uniqueSuffix()}`;

  beforeEach(async () => {
    mongo = await connectMongo({
      uri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/',
      dbName: `t${uniqueSuffix()}_outbox`,
      logger,
    });
    model = mongo.model<AggregateDoc>(
      'Aggregate',
      new mongoose.Schema<AggregateDoc>({ _id: String, ...outboxSchemaFields }),
    );
    await ensureIndexes(mongo);
  });
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await mongo.dropDatabase().catch(() => undefined);
    await mongo.close();
  });

  it('should relay every event appended concurrently with its passes exactly once and clear the flag (lost update)', async () => {
    const { publisher, published } = recordingPublisher();
    relay = createOutboxRelay({ sources: [{ model, topic }], publisher, logger, intervalMs: 20 });
    relay.start();
    await model.create({ _id: 'a', pendingEvents: [], eventSequence: 0 });
    await model.create({ _id: 'b', pendingEvents: [], eventSequence: 0 });
    const appended = await Promise.all(
      Array.from({ length: 60 }, (_, i) => append(model, i % 2 ? 'a' : 'b').then(() => i)),
    );
    expect(appended).toHaveLength(60);
    await eventually(async () => (published.length >= 60 ? true : undefined));
    await relay.drain();
    const sequences = (id: string) =>
      published.filter((event) => event.subject === id).map((event) => event.sequence);
    expect(new Set(sequences('a')).size).toBe(30);
    expect(new Set(sequences('b')).size).toBe(30);
    expect(published).toHaveLength(60);
    const docs = await model.find().lean<AggregateDoc[]>();
    for (const doc of docs) {
      expect(doc.pendingEvents).toEqual([]);
      expect(doc.outboxPending).toBe(false);
    }
  });

  it('should find events written without the flag (an older writer) and relay them', async () => {
    const { publisher, published } = recordingPublisher();
    const event = eventFor('legacy', 1);
    await model.collection.insertOne({
      _id: 'legacy' as never,
      pendingEvents: [event],
      eventSequence: 1,
    });
    relay = createOutboxRelay({ sources: [{ model, topic }], publisher, logger, intervalMs: 20 });
    relay.start();
    await eventually(async () => (published.length === 1 ? true : undefined));
    expect(published[0]!.id).toBe(event.id);
    await eventually(async () => {
      const doc = await model.findById('legacy').lean<AggregateDoc>();
      return doc?.outboxPending === false && doc.pendingEvents.length === 0 ? true : undefined;
    });
  });

  it('should report a relay that cannot publish as not progressing, count it, and recover by itself', async () => {
    const { publisher, published, fail } = recordingPublisher();
    fail(true);
    relay = createOutboxRelay({
      sources: [{ model, topic }],
      publisher,
      logger,
      intervalMs: 20,
      stallAfterMs: 300,
    });
    const failures = async () =>
      (await eventMetrics().outboxRelayFailures.get()).values.find(
        (value) => value.labels.relay === topic,
      )?.value ?? 0;
    relay.start();
    await model.create({ _id: 'stuck', pendingEvents: [], eventSequence: 0 });
    await append(model, 'stuck');
    await eventually(async () => (relay!.isProgressing() ? undefined : true));
    expect(await failures()).toBeGreaterThan(0);
    expect(await relay.backlog()).toBe(1);
    fail(false);
    await eventually(async () =>
      relay!.isProgressing() && published.length === 1 ? true : undefined,
    );
    expect(await relay.backlog()).toBe(0);
  });

  it('should relay an aggregate spread over several documents in its order (workflow commits were read unsorted)', async () => {
    const commits = mongo.model<AggregateDoc & { runId: string; revision: number }>(
      'Commit',
      new mongoose.Schema({ _id: String, runId: String, revision: Number, ...outboxSchemaFields }),
    );
    await ensureIndexes(mongo);
    // Written newest first, so the natural order is the wrong one.
    for (const revision of [5, 4, 3, 2, 1]) {
      await commits.create({
        _id: `run:${revision}`,
        runId: 'run',
        revision,
        pendingEvents: [eventFor('run', revision)],
        eventSequence: revision,
        outboxPending: true,
      });
    }
    const { publisher, published } = recordingPublisher();
    relay = createOutboxRelay({
      sources: [{ model: commits, topic, order: { runId: 1, revision: 1 } }],
      publisher,
      logger,
      batchSize: 2,
    });
    await relay.drain();
    expect(published.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5]);
  });

  it('should set aside an event that can never be sent and relay the others (one broken event stalled the outbox)', async () => {
    const published: CloudEvent[] = [];
    const publisher: EventPublisher = {
      async publish(_topic, events) {
        if (events.some((event) => event.subject === 'bad'))
          throw new EventValidationError('data breaks its contract');
        published.push(...events);
      },
      async disconnect() {},
    };
    for (const id of ['a', 'bad', 'c']) {
      await model.create({ _id: id, pendingEvents: [], eventSequence: 0 });
      await append(model, id);
    }
    relay = createOutboxRelay({ sources: [{ model, topic }], publisher, logger });
    await relay.drain();
    expect(published.map((event) => event.subject).sort()).toEqual(['a', 'c']);
    const bad = await model.findById('bad').lean<AggregateDoc>();
    expect(bad?.pendingEvents).toEqual([]);
    expect(bad?.outboxPending).toBe(false);
    expect(bad?.parkedEvents).toHaveLength(1);
    expect(bad?.parkedEvents?.[0]?.reason).toBe('data breaks its contract');
    expect(await relay.backlog()).toBe(0);
    expect(relay.isProgressing()).toBe(true);
  });
});
