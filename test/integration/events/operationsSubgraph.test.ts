import { Partitioners } from 'kafkajs';
import {
  operationsOptionsFromEnv,
  startOperations,
  type RunningOperations,
} from '../../../operations/src';
import { createKafka, topicNames } from '../../../lib/kafka';
import {
  intelligenceOptionsFromEnv,
  startIntelligence,
  type RunningIntelligence,
} from '../../../subgraphs/intelligence/src';
import { eventually, postGraphQL } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';
import { brokers, logger } from './eventsHarness';

jest.setTimeout(120_000);

describe('operations subgraph (operations role) over the intelligence projector', () => {
  let consumers: RunningOperations;
  let intelligence: RunningIntelligence;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    env = testEnv();
    // The projector runs in the intelligence role; operations reads what it dead-letters.
    intelligence = await startIntelligence({ ...intelligenceOptionsFromEnv(env), port: 0 }, logger);
    consumers = await startOperations({ ...operationsOptionsFromEnv(env), port: 0 }, logger);
  });
  afterAll(async () => {
    await consumers.stop();
    await intelligence.stop();
  });

  it('should list a dead-lettered foreign record with its reason, redrive it, and count it on the projector role /metrics', async () => {
    const topics = topicNames(env.KAFKA_TOPIC_PREFIX!);
    const kafka = createKafka({ brokers, clientId: 'ops-test', logger });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: topics.events('registry'),
      messages: [
        {
          key: 'cmp-x',
          value: '{"broken": ',
          headers: { 'content-type': 'application/cloudevents+json' },
        },
      ],
    });
    await producer.disconnect();

    const query = /* GraphQL */ `
      query ($type: String) {
        deadLetters(domain: REGISTRY, type: $type) {
          key
          errorCode
          errorMessage
          originalTopic
          consumerGroup
          originalTimestamp
        }
      }
    `;
    const list = await eventually(async () => {
      const response = await postGraphQL<{ deadLetters: Record<string, unknown>[] }>(
        consumers.graphqlUrl,
        query,
      );
      return response.data?.deadLetters.length ? response.data.deadLetters : undefined;
    }, 60_000);
    expect(list[0]).toMatchObject({
      key: 'cmp-x',
      errorCode: 'DECODE_FAILED',
      originalTopic: topics.events('registry'),
      consumerGroup: env.INTELLIGENCE_GROUP_ID,
    });
    expect(new Date(list[0]!.originalTimestamp as string).getTime()).toBeGreaterThan(0);

    const redrive = await postGraphQL<{ redriveDeadLetters: { redriven: number } }>(
      consumers.graphqlUrl,
      /* GraphQL */ `
        mutation {
          redriveDeadLetters(domain: REGISTRY) {
            redriven
            topics
          }
        }
      `,
    );
    expect(redrive.data?.redriveDeadLetters.redriven).toBe(1);

    const metrics = await (await fetch(`${intelligence.url}/metrics`)).text();
    expect(metrics).toMatch(/events_dead_lettered_total\{[^}]*code="DECODE_FAILED"[^}]*\} [1-9]/);
    expect(metrics).toContain('event_handler_duration_seconds');
    expect(metrics).toContain('process_cpu_user_seconds_total');
  });
});
