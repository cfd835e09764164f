/**
 * Benchmark of the consumer framework on the real broker (not a test; prints figures):
 *
 *   1. throughput of createPartitionedConsumer (decode + ajv validation + key scheduling +
 *      commits, no-op handler) divided by a bare kafkajs `eachBatch` loop (JSON.parse only),
 *      same topic, same payload;
 *   2. key-level concurrency: a 5 ms handler on 1 partition for 1, 10, 100 and 1000 keys
 *      (like the Parallel Consumer README's table).
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/events/handlerFramework.ts [events] [keyedEvents]
 */
import { randomBytes } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { createPartitionedConsumer } from '../../consumers/src';
import { createEvent, createEventMetrics, encodeEvent } from '../../lib/events';
import { createKafka, createTopicsAndWait } from '../../lib/kafka';
import { createLogger } from '../../lib/logging';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger({ name: 'bench', level: 'error' });
const EVENTS = Number(process.argv[2] ?? 20_000);
const KEYED_EVENTS = Number(process.argv[3] ?? 1_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createTopic(kafka: Kafka, partitions: number, events: number, keys: number) {
  const topic = `bench-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsAndWait(admin, [
    { topic, numPartitions: partitions },
    { topic: `${topic}.dlq`, numPartitions: partitions },
  ]);
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const sequences = new Map<string, number>();
  for (let sent = 0; sent < events; sent += 1000) {
    const messages = Array.from({ length: Math.min(1000, events - sent) }, (_, i) => {
      const key = `k${(sent + i) % keys}`;
      const sequence = (sequences.get(key) ?? 0) + 1;
      sequences.set(key, sequence);
      return encodeEvent(
        createEvent({
          type: 'component.updated',
          source: '/bench',
          subject: key,
          sequence,
          data: { id: key, changes: { version: '1.0.1', tags: ['a', 'b'] } },
        }),
      );
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
  return topic;
}

async function cleanup(kafka: Kafka, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  await admin.disconnect();
}

/** Seconds until `count` events were seen by a bare kafkajs eachBatch loop. */
async function bareKafkajs(kafka: Kafka, topic: string, count: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}-bare` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let started = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        started ||= performance.now();
        for (const message of batch.messages) {
          JSON.parse(message.value!.toString());
          resolveOffset(message.offset);
          if (++seen === count) resolve();
        }
        await heartbeat();
      },
    });
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return seconds;
}

/** Seconds until `count` events were handled by the framework. */
async function framework(
  kafka: Kafka,
  topic: string,
  count: number,
  handlerMs: number,
  maxInFlightPerPartition: number,
): Promise<number> {
  let seen = 0;
  let started = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const consumer = createPartitionedConsumer({
    kafka,
    groupId: `${topic}-framework-${maxInFlightPerPartition}`,
    topics: [topic],
    logger,
    metrics: createEventMetrics(),
    maxInFlightPerPartition,
    handlers: {
      'component.updated': async () => {
        started ||= performance.now();
        if (handlerMs > 0) await sleep(handlerMs);
        if (++seen === count) resolve();
      },
    },
  });
  await consumer.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  return seconds;
}

async function main() {
  const kafka = createKafka({ brokers, clientId: 'bench', logger });

  const topic = await createTopic(kafka, 6, EVENTS, 1000);
  const bare = await bareKafkajs(kafka, topic, EVENTS);
  const ours = await framework(kafka, topic, EVENTS, 0, 16);
  await cleanup(kafka, topic);
  console.log(`\nThroughput, ${EVENTS} events, 6 partitions, 1000 keys, no-op handler`);
  console.log(`  bare kafkajs eachBatch (JSON.parse):   ${(EVENTS / bare).toFixed(0)} events/s`);
  console.log(`  createPartitionedConsumer (16 keys):   ${(EVENTS / ours).toFixed(0)} events/s`);
  console.log(`  ratio framework / bare (throughput):   ${(bare / ours).toFixed(2)}`);

  console.log(`\nKey-level concurrency, ${KEYED_EVENTS} events, 1 partition, 5 ms handler`);
  console.log('  | keys | maxInFlight | seconds | events/s | vs 1 key |');
  console.log('  |-----:|------------:|--------:|---------:|---------:|');
  let base = 0;
  for (const keys of [1, 10, 100, 1000]) {
    const keyed = await createTopic(kafka, 1, KEYED_EVENTS, keys);
    const seconds = await framework(kafka, keyed, KEYED_EVENTS, 5, 1000);
    await cleanup(kafka, keyed);
    base ||= seconds;
    console.log(
      `  | ${keys} | 1000 | ${seconds.toFixed(2)} | ${(KEYED_EVENTS / seconds).toFixed(0)} | ${(base / seconds).toFixed(1)}x |`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
