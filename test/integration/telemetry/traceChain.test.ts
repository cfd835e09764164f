import { randomBytes, randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import {
  ATTR_EVENT_TYPE,
  ATTR_MESSAGING_DESTINATION_NAME,
  startTelemetry,
  type Telemetry,
} from '../../../lib/telemetry';
import { eventually, postGraphQL } from '../../utils/graphqlClient';
import { startTestStack, type TestStack } from '../../utils/startTestStack';

const REGISTER = /* GraphQL */ `
  mutation RegisterTraced($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      component {
        id
      }
    }
  }
`;

/** Reads every record of `topic` from the beginning until `found` accepts one. */
async function readUntil(
  brokers: string[],
  topic: string,
  found: (message: KafkaMessage) => boolean,
): Promise<KafkaMessage> {
  const kafka = new Kafka({ clientId: 'trace-test', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `trace-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise<KafkaMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching record in ${topic}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (found(message)) {
            clearTimeout(timer);
            resolve(message);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('trace propagation', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let stack: TestStack;

  beforeAll(async () => {
    // Installed before the stack: every role in this process records into the in-memory exporter.
    telemetry = await startTelemetry({ exporter: 'none' }, 'trace-test', {
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack?.stop();
    await telemetry?.stop();
  });

  it('should continue the client trace through gateway, subgraph, Kafka producer and consumer', async () => {
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const correlationId = randomUUID();
    const result = await postGraphQL<{ registerComponent: { component: { id: string } } }>(
      stack.gatewayUrl,
      REGISTER,
      { input: { name: `Traced${traceId.slice(0, 8)}`, type: 'ATOM', version: '1.0.0' } },
      { traceparent: `00-${traceId}-${clientSpanId}-01`, 'x-correlation-id': correlationId },
    );
    expect(result.errors).toBeUndefined();
    const componentId = result.data!.registerComponent.component.id;

    const consumerSpan = await eventually(async () =>
      exporter
        .getFinishedSpans()
        .find(
          (span) =>
            span.kind === SpanKind.CONSUMER &&
            span.spanContext().traceId === traceId &&
            span.attributes[ATTR_EVENT_TYPE] === 'component.registered',
        ),
    );
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));

    // Walk parent links from the consumer back to the client's span.
    const chain: ReadableSpan[] = [];
    let current: ReadableSpan | undefined = consumerSpan;
    while (current) {
      chain.push(current);
      const parentId: string | undefined = current.parentSpanContext?.spanId;
      if (parentId === clientSpanId) break;
      current = parentId ? byId.get(parentId) : undefined;
    }
    expect(chain.at(-1)?.parentSpanContext?.spanId).toBe(clientSpanId);

    const described = chain.map((span) => ({
      kind: span.kind,
      name: span.name,
      scope: span.instrumentationScope.name,
    }));
    const indexOf = (match: (d: (typeof described)[number]) => boolean) =>
      described.findIndex(match);
    const consumer = 0;
    const producer = indexOf((d) => d.kind === SpanKind.PRODUCER);
    const subgraph = indexOf(
      (d) => d.kind === SpanKind.SERVER && d.scope === 'component-platform/registry',
    );
    const fetch = indexOf((d) => d.kind === SpanKind.CLIENT && d.name === 'subgraph registry');
    const gateway = indexOf(
      (d) => d.kind === SpanKind.SERVER && d.scope === 'component-platform/gateway',
    );
    // Nearest the consumer first: consumer < producer < subgraph server < gateway fetch < gateway.
    expect([consumer, producer, subgraph, fetch, gateway].every((i) => i >= 0)).toBe(true);
    expect(consumer < producer && producer < subgraph && subgraph < fetch && fetch < gateway).toBe(
      true,
    );
    expect(described[gateway]!.name).toBe('mutation RegisterTraced');
    // The gateway names subgraph operations `<operation>__<subgraph>__<fetch index>`.
    expect(described[subgraph]!.name).toBe('mutation RegisterTraced__registry__0');
    const topic = String(chain[producer]!.attributes[ATTR_MESSAGING_DESTINATION_NAME]);
    expect(chain[producer]!.name).toBe(`${topic} publish`);
    expect(consumerSpan.name).toBe(`${topic} process`);

    // The record itself carries the producer span's context and the correlation id as headers.
    const record = await readUntil(
      (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      topic,
      (message) => message.key?.toString() === componentId,
    );
    expect(record.headers?.traceparent?.toString()).toBe(
      `00-${traceId}-${chain[producer]!.spanContext().spanId}-01`,
    );
    expect(record.headers?.['correlation-id']?.toString()).toBe(correlationId);
    const envelope = JSON.parse(record.value!.toString()) as Record<string, unknown>;
    expect(envelope.correlationid).toBe(correlationId);
    expect(envelope.traceparent).toBe(`00-${traceId}-${chain[subgraph]!.spanContext().spanId}-01`);
  });
});
