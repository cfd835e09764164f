import { createKafkaTransport, decodeEvent, eventMetrics } from '../../../lib/events';
import { createKafka, topicNames } from '../../../lib/kafka';
import {
  registryOptionsFromEnv,
  startRegistry,
  type RunningRegistry,
} from '../../../subgraphs/registry/src';
import { eventually, postGraphQL } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';
import { startSecondKafka, type SecondKafka } from '../resilience/secondKafka';
import { logger } from './eventsHarness';

jest.setTimeout(300_000);

const REGISTER = /* GraphQL */ `
  mutation ($name: String!) {
    registerComponent(input: { name: $name, type: ATOM, version: "1.0.0" }) {
      eventIds
    }
  }
`;

describe('outbox relay while Kafka is down', () => {
  let registry: RunningRegistry;
  let env: Record<string, string | undefined>;
  // A broker of this test's own, on free ports: the shared one is never touched.
  let broker: SecondKafka;
  beforeAll(async () => {
    broker = await startSecondKafka();
    env = testEnv({ KAFKA_BROKERS: broker.brokers });
    registry = await startRegistry(registryOptionsFromEnv(env), logger);
  });
  afterAll(async () => {
    await registry?.stop();
    await broker?.remove();
  });

  it('should keep the events of mutations made while Kafka is stopped and deliver all after restart', async () => {
    const register = async (name: string) => {
      const response = await postGraphQL<{ registerComponent: { eventIds: string[] } }>(
        registry.graphqlUrl,
        REGISTER,
        { name },
      );
      expect(response.errors).toBeUndefined();
      return response.data!.registerComponent.eventIds;
    };
    const ids = [...(await register('BeforeOutage'))];
    await registry.relay.drain();
    expect(await registry.relay.backlog()).toBe(0);

    await broker.stop();
    for (let i = 0; i < 5; i++) ids.push(...(await register(`DuringOutage${i}`)));
    // The mutations committed; their events wait in the aggregates.
    expect(await registry.relay.backlog()).toBe(5);
    const scraped = await eventMetrics().registry.getSingleMetricAsString(
      'outbox_backlog_aggregates',
    );
    const topic = topicNames(env.KAFKA_TOPIC_PREFIX!).events('registry');
    expect(scraped).toContain(`outbox_backlog_aggregates{topic="${topic}"} 5`);

    await broker.start();
    await eventually(
      async () => ((await registry.relay.backlog()) === 0 ? true : undefined),
      120_000,
    );

    const kafka = createKafka({ brokers: [broker.brokers], clientId: 'outbox-test', logger });
    const transport = createKafkaTransport({ kafka, logger });
    const records = await transport.read(topic);
    await transport.close();
    const delivered = records.map(({ message }) => decodeEvent(message).id);
    expect(new Set(delivered)).toEqual(new Set(ids));
    expect(ids).toHaveLength(6);
  });
});
