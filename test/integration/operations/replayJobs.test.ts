import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs';
import {
  operationsOptionsFromEnv,
  startOperations,
  type RunningOperations,
} from '../../../operations/src';
import { createEvent, encodeEvent, type CloudEvent } from '../../../lib/events';
import { createKafka, createTopicsAndWait, topicNames, type TopicNames } from '../../../lib/kafka';
import { createLogger } from '../../../lib/logging';
import { eventually, postGraphQL, type GraphQLResponse } from '../../utils/graphqlClient';
import { testEnv, uniqueSuffix } from '../../utils/servicesEnv';

jest.setTimeout(120_000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger({
  name: 'operations-test',
  level: (process.env.TEST_LOG_LEVEL as 'warn' | undefined) ?? 'error',
});

const JOB_FIELDS = /* GraphQL */ `
  id
  groupId
  topic
  from
  state
  members
  partitions {
    partition
    offset
  }
  error
  hosted
  runner
  deadline
  createdAt
  updatedAt
`;

interface Job {
  id: string;
  groupId: string;
  topic: string;
  from: string;
  state: 'WAITING' | 'REWOUND' | 'FAILED' | 'CANCELLED';
  members: number | null;
  partitions: { partition: number; offset: string }[];
  error: string | null;
}

describe('replay jobs of the operations subgraph (real Kafka)', () => {
  let consumers: RunningOperations;
  let topics: TopicNames;
  let kafka: Kafka;
  let producer: Producer;
  const members: Consumer[] = [];

  const graphql = <D>(query: string, variables: Record<string, unknown> = {}) =>
    postGraphQL<D>(consumers.graphqlUrl, query, variables);

  const startReplay = (groupId: string, from: Date) =>
    graphql<{ replayEvents: Job }>(
      /* GraphQL */ `
        mutation ($groupId: String!, $from: DateTime!) {
          replayEvents(domain: REGISTRY, groupId: $groupId, from: $from) { ${JOB_FIELDS} }
        }
      `,
      { groupId, from: from.toISOString() },
    );

  const jobById = async (id: string) => {
    const response = await graphql<{ replayJob: Job | null }>(
      /* GraphQL */ `
        query ($id: ID!) {
          replayJob(id: $id) { ${JOB_FIELDS} }
        }
      `,
      { id },
    );
    expect(response.errors).toBeUndefined();
    return response.data!.replayJob!;
  };

  /** A plain kafkajs member of `groupId` on the registry topic, collecting the event ids it gets. */
  async function member(groupId: string) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
    members.push(consumer);
    const ids: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topics.events('registry'), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        ids.push((JSON.parse(message.value!.toString()) as CloudEvent).id);
      },
    });
    return { consumer, ids };
  }

  const event = (key: string, sequence: number) =>
    createEvent({
      type: 'component.deleted',
      source: '/test/replay-jobs',
      subject: key,
      sequence,
      data: { id: key },
    });

  /** Sends events with a given record timestamp (CreateTime), so `from` needs no sleeping. */
  const send = (events: CloudEvent[], at: number) =>
    producer.send({
      topic: topics.events('registry'),
      acks: -1,
      messages: events.map((e) => ({ ...encodeEvent(e), timestamp: String(at) })),
    });

  beforeAll(async () => {
    const env = testEnv();
    topics = topicNames(env.KAFKA_TOPIC_PREFIX!);
    kafka = createKafka({ brokers, clientId: `replay-jobs-${uniqueSuffix()}`, logger });
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [
      { topic: topics.events('registry'), numPartitions: 6 },
      { topic: topics.deadLetter('registry'), numPartitions: 6 },
    ]);
    await admin.disconnect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    consumers = await startOperations(operationsOptionsFromEnv(env), logger);
  });

  afterAll(async () => {
    for (const consumer of members) await consumer.disconnect().catch(() => undefined);
    await producer?.disconnect();
    await consumers?.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: [topics.events('registry'), topics.deadLetter('registry')] })
      .catch(() => undefined);
    await admin.disconnect();
  });

  it('should wait while the group has a member, rewind once it left, and replay to the next member', async () => {
    const groupId = `replay-${uniqueSuffix()}`;
    const now = Date.now();
    const before = [1, 2, 3].map((i) => event(`old-${i}`, 1));
    const after = [1, 2].map((i) => event(`new-${i}`, 1));
    await send(before, now - 60_000);
    await send(after, now);
    const first = await member(groupId);
    await eventually(async () => (first.ids.length >= 5 ? true : undefined), 60_000);

    const started = await startReplay(groupId, new Date(now - 30_000));
    expect(started.errors).toBeUndefined();
    const job = started.data!.replayEvents;
    expect(job).toMatchObject({
      groupId,
      topic: topics.events('registry'),
      state: 'WAITING',
      partitions: [],
      error: null,
    });

    const waiting = await eventually(async () => {
      const seen = await jobById(job.id);
      return seen.members !== null ? seen : undefined;
    }, 30_000);
    expect(waiting.state).toBe('WAITING');
    expect(waiting.members).toBeGreaterThanOrEqual(1);

    // One waiting job per group.
    const second = await startReplay(groupId, new Date(now - 30_000));
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', jobId: job.id });

    await first.consumer.disconnect();
    const rewound = await eventually(async () => {
      const seen = await jobById(job.id);
      return seen.state === 'WAITING' ? undefined : seen;
    }, 60_000);
    expect(rewound).toMatchObject({ state: 'REWOUND', members: 0, error: null });
    expect(rewound.partitions).toHaveLength(6);

    const next = await member(groupId);
    const afterIds = after.map((e) => e.id).sort();
    await eventually(
      async () => (afterIds.every((id) => next.ids.includes(id)) ? true : undefined),
      60_000,
    );
    // Only the events at or after `from` come again.
    expect([...next.ids].sort()).toEqual(afterIds);

    const listed = await graphql<{ replayJobs: Job[] }>(
      /* GraphQL */ `
        query ($groupId: String) {
          replayJobs(groupId: $groupId) {
            id
            state
          }
        }
      `,
      { groupId },
    );
    expect(listed.data?.replayJobs).toEqual([{ id: job.id, state: 'REWOUND' }]);
  });

  it('should cancel a waiting job and leave the group where it was', async () => {
    const groupId = `replay-${uniqueSuffix()}`;
    const active = await member(groupId);
    await eventually(async () => (active.ids.length >= 5 ? true : undefined), 60_000);

    const started = await startReplay(groupId, new Date(0));
    const id = started.data!.replayEvents.id;
    const cancelled = await graphql<{ cancelReplayJob: Job }>(
      /* GraphQL */ `
        mutation ($id: ID!) {
          cancelReplayJob(id: $id) {
            id
            state
          }
        }
      `,
      { id },
    );
    expect(cancelled.data?.cancelReplayJob).toEqual({ id, state: 'CANCELLED' });
    expect((await jobById(id)).partitions).toEqual([]);

    const unknown = await graphql<GraphQLResponse>(/* GraphQL */ `
      mutation {
        cancelReplayJob(id: "no-such-job") {
          id
        }
      }
    `);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("should show an older dead letter's original type and id from its record", async () => {
    const original = event('dead-1', 1);
    // As dead letters were written before dlt-event-type/-id were set for records that decode.
    await producer.send({
      topic: topics.deadLetter('registry'),
      acks: -1,
      messages: [
        {
          ...encodeEvent(original),
          headers: {
            ...encodeEvent(original).headers,
            'dlt-original-topic': topics.events('registry'),
            'dlt-exception-code': 'VALIDATION_FAILED',
            'dlt-exception-message': 'data/id must be string',
          },
        },
      ],
    });
    const list = await eventually(async () => {
      const response = await graphql<{ deadLetters: Record<string, unknown>[] }>(/* GraphQL */ `
        query {
          deadLetters(domain: REGISTRY, type: "component.deleted") {
            key
            eventType
            eventId
            errorCode
          }
        }
      `);
      return response.data?.deadLetters.length ? response.data.deadLetters : undefined;
    }, 60_000);
    expect(list).toEqual([
      {
        key: 'dead-1',
        eventType: 'component.deleted',
        eventId: original.id,
        errorCode: 'VALIDATION_FAILED',
      },
    ]);
  });
});
