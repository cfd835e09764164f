import type { Consumer, Kafka } from 'kafkajs';
import mongoose from 'mongoose';
import { parkedEventResolvers } from '../../../operations/src/graphql/parkedEvents';
import { openParkedEventStore } from '../../../operations/src/operations/parkedEvents';
import {
  createEvent,
  createEventPublisher,
  createKafkaTransport,
  createOutboxRelay,
  decodeEvent,
  OUTBOX_PARKED,
  outboxSchemaFields,
  removeParkedEvent,
  type CloudEvent,
  type EventPublisher,
  type EventTransport,
  type OutboxRelay,
  type ParkedDoc,
  type ParkedOutboxEvent,
} from '../../../lib/events';
import {
  DateTimeScalar,
  loadSubgraphSdl,
  startSubgraphServer,
  type RunningSubgraph,
} from '../../../lib/graphql';
import { createKafka, createTopicsAndWait, topicNames } from '../../../lib/kafka';
import { createLogger } from '../../../lib/logging';
import {
  connectMongo,
  ensureIndexes,
  mongoConnectionOptions,
  type MongoConnection,
} from '../../../lib/mongo';
import { eventually, postGraphQL } from '../../utils/graphqlClient';
import { uniqueSuffix } from '../../utils/servicesEnv';

jest.setTimeout(120_000);

const logger = createLogger({
  name: 'parked-events-test',
  level: (process.env.TEST_LOG_LEVEL as 'warn' | undefined) ?? 'silent',
});
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

interface AggregateDoc {
  _id: string;
  pendingEvents: CloudEvent[];
  eventSequence: number;
  outboxPending?: boolean;
  parkedEvents?: ParkedOutboxEvent[];
  outboxParked?: boolean;
}

interface ParkedView {
  id: string;
  role: string;
  database: string;
  collection: string;
  aggregateId: string;
  topic: string | null;
  eventId: string;
  eventType: string;
  source: string;
  subject: string | null;
  sequence: number | null;
  errorCode: string | null;
  errorMessage: string;
  parkedAt: string | null;
  event: CloudEvent;
}

const LIST = /* GraphQL */ `
  query ($role: OutboxRole) {
    parkedEvents(role: $role, first: 20) {
      id
      role
      database
      collection
      aggregateId
      topic
      eventId
      eventType
      source
      subject
      sequence
      errorCode
      errorMessage
      parkedAt
      event
    }
  }
`;
const RETRY = /* GraphQL */ `
  mutation ($id: ID!, $data: JSON) {
    retryParkedEvent(id: $id, data: $data) {
      id
      eventId
      topic
      event
    }
  }
`;
const DISCARD = /* GraphQL */ `
  mutation ($id: ID!) {
    discardParkedEvent(id: $id) {
      id
      eventId
    }
  }
`;

/** `component.used` for aggregate `id`; `data` replaces the valid data (to break the contract). */
function used(id: string, data: Record<string, unknown> = { componentId: id }) {
  return createEvent({
    type: 'component.used',
    source: '/test/parked',
    subject: id,
    sequence: 1,
    data,
  });
}

describe('parked outbox events through the operations subgraph (real Kafka and MongoDB)', () => {
  const suffix = uniqueSuffix();
  const mongoOptions = {
    uri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/',
    dbPrefix: `t${suffix}_`,
    timeoutMs: 10_000,
  };
  const topic = topicNames(`t${suffix}.`).events('registry');
  let kafka: Kafka;
  let mongo: MongoConnection;
  let model: mongoose.Model<AggregateDoc>;
  let publisher: EventPublisher;
  let relay: OutboxRelay;
  let operations: RunningSubgraph;
  let parkedEvents: ReturnType<typeof openParkedEventStore>;
  let transport: EventTransport;
  let consumer: Consumer;
  const received: CloudEvent[] = [];

  const query = <D>(text: string, variables: Record<string, unknown> = {}) =>
    postGraphQL<D>(operations.graphqlUrl, text, variables);
  const list = async (role?: string) =>
    (await query<{ parkedEvents: ParkedView[] }>(LIST, role ? { role } : {})).data?.parkedEvents ??
    [];
  const arrived = (id: string) => received.find((event) => event.id === id);

  /**
   * Commits an aggregate with one pending event, as a writer would (flag set), and kicks. Written
   * as is: `Model.create` would minimize the event (an empty `data: {}` vanishes).
   */
  async function commit(id: string, event: CloudEvent) {
    await model.collection.insertOne({
      _id: id as never,
      pendingEvents: [event],
      eventSequence: 1,
      outboxPending: true,
    });
    relay.kick();
  }

  beforeAll(async () => {
    kafka = createKafka({ brokers, clientId: `t${suffix}`, logger });
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 3 }]);
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: `t${suffix}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(decodeEvent(message) as unknown as CloudEvent);
      },
    });

    // The registry role's database, with an outbox collection served by a real relay.
    mongo = await connectMongo({ ...mongoConnectionOptions(mongoOptions, 'registry'), logger });
    model = mongo.model<AggregateDoc>(
      'Aggregate',
      new mongoose.Schema<AggregateDoc>({ _id: String, ...outboxSchemaFields }),
    );
    await ensureIndexes(mongo);
    publisher = createEventPublisher(kafka);
    relay = createOutboxRelay({ sources: [{ model, topic }], publisher, logger, intervalMs: 50 });
    relay.start();

    // The operations subgraph's SDL with the parked-event resolvers, and the store the operations
    // role puts in its context (its own connection, reaching each role's database).
    parkedEvents = openParkedEventStore({ mongo: mongoOptions, logger });
    transport = createKafkaTransport({ kafka, logger });
    operations = await startSubgraphServer({
      name: 'operations',
      typeDefs: loadSubgraphSdl('operations'),
      resolvers: { DateTime: DateTimeScalar, ...parkedEventResolvers },
      createContext: (base) => ({
        ...base,
        transport,
        topics: topicNames(`t${suffix}.`),
        parkedEvents,
      }),
      port: 0,
      host: '127.0.0.1',
      logger,
    });
  });

  afterAll(async () => {
    await operations?.stop();
    await parkedEvents?.stop();
    await transport?.close();
    await relay?.stop();
    await publisher?.disconnect();
    await consumer?.disconnect();
    const client = mongo.getClient();
    for (const role of ['registry', 'intelligence', 'workflow', 'operations']) {
      await client
        .db(mongoConnectionOptions(mongoOptions, role).dbName)
        .dropDatabase()
        .catch(() => undefined);
    }
    await mongo.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('should list an event its contract refuses, let the one behind it flow, and publish it once fixed', async () => {
    // The broken event is committed first; the valid one after it must not wait for it.
    const broken = used('cmp-bad', { usedBy: 'app' });
    const valid = used('cmp-good');
    await commit('cmp-bad', broken);
    await commit('cmp-good', valid);

    const [parked] = await eventually(async () => {
      const entries = await list('REGISTRY');
      return entries.length > 0 ? entries : undefined;
    });
    expect(parked).toMatchObject({
      role: 'REGISTRY',
      database: `t${suffix}_registry`,
      aggregateId: 'cmp-bad',
      topic,
      eventId: broken.id,
      eventType: 'component.used',
      source: '/test/parked',
      subject: 'cmp-bad',
      sequence: 1,
      errorCode: 'VALIDATION_FAILED',
      event: { id: broken.id, data: { usedBy: 'app' } },
    });
    expect(parked!.errorMessage).toContain('componentId');
    expect(new Date(parked!.parkedAt!).getTime()).toBeGreaterThan(0);
    // Listed across every role's database too.
    expect((await list()).map((entry) => entry.eventId)).toEqual([broken.id]);

    // The rest flowed: the valid event is on Kafka, the broken one is not, nothing is pending.
    await eventually(async () => arrived(valid.id));
    expect(arrived(broken.id)).toBeUndefined();
    // The relay clears an aggregate's pending mark only after Kafka acknowledged its events, so a
    // consumer may see the event first: wait for the mark, then assert (the message if it stays).
    await eventually(async () => ((await relay.backlog()) === 0 ? true : undefined)).catch(
      () => undefined,
    );
    expect(await relay.backlog()).toBe(0);

    // Data that still breaks the contract: BAD_USER_INPUT, and it stays parked.
    const refused = await query(RETRY, { id: parked!.id, data: { usedBy: 42 } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      contractCode: 'VALIDATION_FAILED',
    });
    expect((await list('REGISTRY')).map((entry) => entry.id)).toEqual([parked!.id]);

    // Fixed: published to its topic with the same id, and no longer parked.
    const retried = await query<{
      retryParkedEvent: { eventId: string; topic: string; event: CloudEvent };
    }>(RETRY, { id: parked!.id, data: { componentId: 'cmp-bad', usedBy: 'app' } });
    expect(retried.errors).toBeUndefined();
    expect(retried.data?.retryParkedEvent).toMatchObject({ eventId: broken.id, topic });
    const delivered = await eventually(async () => arrived(broken.id));
    expect(delivered).toMatchObject({
      type: 'component.used',
      subject: 'cmp-bad',
      data: { componentId: 'cmp-bad', usedBy: 'app' },
    });
    expect(await list('REGISTRY')).toEqual([]);
    const doc = await model.findById('cmp-bad').lean<AggregateDoc>();
    expect(doc?.parkedEvents).toEqual([]);
    expect(doc?.[OUTBOX_PARKED]).toBeUndefined();

    const again = await query(RETRY, { id: parked!.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('should discard a parked event for good, and refuse an id that is not one', async () => {
    const broken = createEvent({
      type: 'component.nonexistent',
      source: '/test/parked',
      subject: 'cmp-unknown',
      sequence: 1,
      data: {},
    });
    await commit('cmp-unknown', broken);
    const [parked] = await eventually(async () => {
      const entries = await list('REGISTRY');
      return entries.length > 0 ? entries : undefined;
    });
    expect(parked).toMatchObject({ eventId: broken.id, errorCode: 'UNKNOWN_EVENT_TYPE' });

    const discarded = await query<{ discardParkedEvent: { id: string; eventId: string } }>(
      DISCARD,
      { id: parked!.id },
    );
    expect(discarded.data?.discardParkedEvent).toEqual({ id: parked!.id, eventId: broken.id });
    expect(await list('REGISTRY')).toEqual([]);
    const twice = await query(DISCARD, { id: parked!.id });
    expect(twice.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const malformed = await query(DISCARD, { id: 'not-an-id' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    const tooMany = await query(/* GraphQL */ `
      {
        parkedEvents(first: 100000) {
          id
        }
      }
    `);
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('should remove exactly one parked event by compare-and-set where $pull by condition is missing (FerretDB)', async () => {
    const first = used('cmp-cas', {});
    const second = used('cmp-cas', { usedBy: 'x' });
    const at = new Date();
    await model.collection.insertOne({
      _id: 'cmp-cas' as never,
      pendingEvents: [],
      eventSequence: 2,
      parkedEvents: [
        { event: first, reason: 'broken', at },
        { event: second, reason: 'broken', at },
      ],
      [OUTBOX_PARKED]: true,
    });
    const collection = mongo.collection<ParkedDoc>(model.collection.collectionName);
    const capabilities = { pullWithCondition: false };
    expect(await removeParkedEvent(collection, 'cmp-cas', first.id, capabilities)).toBe(true);
    let doc = await model.findById('cmp-cas').lean<AggregateDoc>();
    expect(doc?.parkedEvents?.map((entry) => entry.event.id)).toEqual([second.id]);
    expect(doc?.[OUTBOX_PARKED]).toBe(true);
    expect(await removeParkedEvent(collection, 'cmp-cas', first.id, capabilities)).toBe(false);
    expect(await removeParkedEvent(collection, 'cmp-cas', second.id, capabilities)).toBe(true);
    doc = await model.findById('cmp-cas').lean<AggregateDoc>();
    expect(doc?.parkedEvents).toEqual([]);
    expect(doc?.[OUTBOX_PARKED]).toBeUndefined();
  });
});
