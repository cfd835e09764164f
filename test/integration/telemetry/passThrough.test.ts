import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { eventually, postGraphQL } from '../../utils/graphqlClient';
import { startTestStack, type TestStack } from '../../utils/startTestStack';

const REGISTER = /* GraphQL */ `
  mutation RegisterPassThrough($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      component {
        id
      }
    }
  }
`;

// No tracer provider in this process: the default OTEL_TRACES_EXPORTER=none.
describe('trace propagation with tracing off', () => {
  let stack: TestStack;
  const prefix = `t${randomBytes(4).toString('hex')}.`;

  beforeAll(async () => {
    stack = await startTestStack({ KAFKA_TOPIC_PREFIX: prefix });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('should forward the client traceparent unchanged into the event and its Kafka headers', async () => {
    const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    const result = await postGraphQL<{ registerComponent: { component: { id: string } } }>(
      stack.gatewayUrl,
      REGISTER,
      {
        input: {
          name: `PassThrough${randomBytes(3).toString('hex')}`,
          type: 'ATOM',
          version: '1.0.0',
        },
      },
      { traceparent },
    );
    expect(result.errors).toBeUndefined();
    const componentId = result.data!.registerComponent.component.id;

    const kafka = new Kafka({
      clientId: 'pass-through-test',
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `pass-through-${randomUUID()}` });
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: `${prefix}registry.events`, fromBeginning: true });
      void consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
      const record = await eventually(async () =>
        seen.find((message) => message.key?.toString() === componentId),
      );
      expect(record.headers?.traceparent?.toString()).toBe(traceparent);
      // The gateway assigned a correlation id; the event and its header carry the same one.
      const envelope = JSON.parse(record.value!.toString()) as Record<string, unknown>;
      expect(envelope.traceparent).toBe(traceparent);
      expect(typeof envelope.correlationid).toBe('string');
      expect(record.headers?.['correlation-id']?.toString()).toBe(envelope.correlationid);
    } finally {
      await consumer.disconnect();
    }
  });
});
