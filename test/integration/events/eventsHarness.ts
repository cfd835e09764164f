import { Partitioners, type Kafka, type Message } from 'kafkajs';
import {
  createEvent,
  createEventMetrics,
  createKafkaTransport,
  encodeEvent,
  type CloudEvent,
  type GroupMember,
  type SubscribeOptions,
} from '../../../lib/events';
import { createKafka, createTopicsAndWait } from '../../../lib/kafka';
import { createLogger } from '../../../lib/logging';
import { uniqueSuffix } from '../../utils/servicesEnv';

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const logger = createLogger({
  name: 'events-test',
  level: (process.env.TEST_LOG_LEVEL as 'warn' | undefined) ?? 'error',
});

/** A kafkajs client, a fresh topic and its DLQ (random names), and helpers; `stop()` cleans up. */
export async function createEventsHarness(partitions = 6, kafkaBrokers = brokers) {
  const suffix = uniqueSuffix();
  const kafka: Kafka = createKafka({ brokers: kafkaBrokers, clientId: `t${suffix}`, logger });
  const topic = `t${suffix}.events`;
  const dlq = `${topic}.dlq`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsAndWait(admin, [
    { topic, numPartitions: partitions },
    { topic: dlq, numPartitions: partitions },
  ]);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumers: GroupMember[] = [];
  const metrics = createEventMetrics();
  const transport = createKafkaTransport({ kafka, logger, metrics, groupPrefix: `t${suffix}-` });
  return {
    transport,
    kafka,
    admin,
    topic,
    dlq,
    suffix,
    group: (name = 'g') => `t${suffix}-${name}`,
    metrics,
    async send(messages: Message[]) {
      await producer.send({ topic, acks: -1, messages });
    },
    async publish(events: CloudEvent[]) {
      await producer.send({ topic, acks: -1, messages: events.map(encodeEvent) });
    },
    /** A member of a group on the harness topic, joined and consuming when this resolves. */
    async consumer(options: Omit<SubscribeOptions, 'topics' | 'logger'>) {
      const consumer = transport.subscribe({
        topics: [topic],
        logger,
        heartbeatInterval: 500,
        sessionTimeout: 10_000,
        commitIntervalMs: 200,
        metrics,
        ...options,
      });
      consumer.start();
      await consumer.running();
      consumers.push(consumer);
      return consumer;
    },
    async stop() {
      for (const consumer of consumers) await consumer.stop().catch(() => undefined);
      await producer.disconnect();
      await transport.close();
      await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** A `component.updated` event for aggregate `key` with the given sequence. */
export function updated(key: string, sequence: number, source = '/test') {
  return createEvent({
    type: 'component.updated',
    source,
    subject: key,
    sequence,
    data: { id: key, changes: { sequence } },
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
