import type { Kafka } from 'kafkajs';
import {
  operationsOptionsFromEnv,
  startOperations,
  type RunningOperations,
} from '../../../operations/src';
import { createKafka, createTopicsAndWait, topicNames, type TopicNames } from '../../../lib/kafka';
import { createLogger } from '../../../lib/logging';
import { postGraphQL } from '../../utils/graphqlClient';
import { testEnv, uniqueSuffix } from '../../utils/servicesEnv';

jest.setTimeout(120_000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger({ name: 'consumer-lag-test', level: 'error' });

const LAG = /* GraphQL */ `
  query Lag($groupId: String) {
    consumerLag(groupId: $groupId) {
      groupId
      state
      members
      lag
      topics {
        topic
        lag
        partitions {
          partition
          committed
          end
          lag
        }
      }
    }
  }
`;

interface GroupLag {
  groupId: string;
  state: string;
  members: number;
  lag: number;
  topics: {
    topic: string;
    lag: number;
    partitions: { partition: number; committed: string | null; end: string; lag: number }[];
  }[];
}

describe('consumer lag per group (operations subgraph, real Kafka)', () => {
  let operations: RunningOperations;
  let topics: TopicNames;
  let kafka: Kafka;
  let prefix: string;

  beforeAll(async () => {
    const env = testEnv();
    prefix = env.KAFKA_TOPIC_PREFIX!;
    topics = topicNames(prefix);
    kafka = createKafka({ brokers, clientId: `consumer-lag-${uniqueSuffix()}`, logger });
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic: topics.events('registry'), numPartitions: 2 }]);
    // Ten events on partition 0; the group committed up to 4 there and nothing on partition 1.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topics.events('registry'),
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `e${i}` })),
    });
    await producer.disconnect();
    await admin.setOffsets({
      groupId: `${prefix}lagging`,
      topic: topics.events('registry'),
      partitions: [{ partition: 0, offset: '4' }],
    });
    // A group of another stack: not ours to list.
    await admin.setOffsets({
      groupId: `other-${uniqueSuffix()}`,
      topic: topics.events('registry'),
      partitions: [{ partition: 0, offset: '1' }],
    });
    await admin.disconnect();
    operations = await startOperations(operationsOptionsFromEnv(env), logger);
  });

  afterAll(async () => {
    await operations?.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topics.events('registry')] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("should give each of the stack's groups its lag per topic and partition", async () => {
    const answer = await postGraphQL<{ consumerLag: GroupLag[] }>(operations.graphqlUrl, LAG);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.consumerLag.map((group) => group.groupId)).toEqual([`${prefix}lagging`]);
    expect(answer.data!.consumerLag[0]).toEqual({
      groupId: `${prefix}lagging`,
      state: 'Empty',
      members: 0,
      lag: 6,
      topics: [
        {
          topic: topics.events('registry'),
          lag: 6,
          partitions: [
            { partition: 0, committed: '4', end: '10', lag: 6 },
            { partition: 1, committed: null, end: '0', lag: 0 },
          ],
        },
      ],
    });
  });

  it('should answer one group, and none for an unknown id', async () => {
    const one = await postGraphQL<{ consumerLag: GroupLag[] }>(operations.graphqlUrl, LAG, {
      groupId: `${prefix}lagging`,
    });
    expect(one.data!.consumerLag.map((group) => group.lag)).toEqual([6]);
    const none = await postGraphQL<{ consumerLag: GroupLag[] }>(operations.graphqlUrl, LAG, {
      groupId: `${prefix}nobody`,
    });
    expect(none.data!.consumerLag).toEqual([]);
  });
});
