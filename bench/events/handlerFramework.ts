/**
 * Benchmark of the event transport's consumer on the real broker (not a test; prints figures):
 *
 *   1. throughput of a member of the Kafka event transport (`createKafkaTransport(...).subscribe`:
 *      decode + ajv validation + consumer span + metrics + key scheduling + offset tracking +
 *      commits, no-op handler) divided by a bare kafkajs `eachBatch` loop (JSON.parse only),
 *      same topic, same payload, same partitions consumed concurrently (6). A warm-up read comes
 *      first; then `rounds` rounds of one bare run and one transport run (a fresh group each),
 *      the ratio per round and its median. The OpenTelemetry context manager is installed
 *      first, as in every role process, so both sides run under the same promise hooks.
 *   2. key-level concurrency: a 5 ms handler on 1 partition for 1, 10, 100 and 1000 keys
 *      (like the Parallel Consumer README's table).
 *
 * Run it compiled, as the roles run (tsx's esbuild wraps every closure the record pipeline
 * creates per record in a `__name` call, which costs the transport ~1-2 µs per record):
 *
 *   npx tsc -p tsconfig.json --noEmit false --sourceMap false --outDir .cache/bench-dist
 *   KAFKA_BROKERS=127.0.0.1:9092 node .cache/bench-dist/bench/events/handlerFramework.js \
 *     [events=100000] [keyedEvents=1000] [rounds=3]
 *
 * (`npx tsx bench/events/handlerFramework.ts …` works too; it says so in its output.)
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Partitioners, type Kafka } from 'kafkajs';
import {
  createEvent,
  createEventMetrics,
  createKafkaTransport,
  encodeEvent,
} from '../../lib/events';
import { createKafka, createTopicsAndWait } from '../../lib/kafka';
import { createLogger } from '../../lib/logging';
import { ensureContextManager } from '../../lib/telemetry/contextManager';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger({ name: 'bench', level: 'error' });
const EVENTS = Number(process.argv[2] ?? 100_000);
const KEYED_EVENTS = Number(process.argv[3] ?? 1_000);
const ROUNDS = Number(process.argv[4] ?? 3);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

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

async function cleanup(kafka: Kafka, topic: string, groups: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
}

/** Seconds from the first to the `count`th event seen by a bare kafkajs eachBatch loop. */
async function bareKafkajs(kafka: Kafka, topic: string, groupId: string, count: number) {
  const consumer = kafka.consumer({ groupId });
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

/** Seconds from the first to the `count`th event handled by a member of the Kafka transport. */
async function transportMember(
  kafka: Kafka,
  topic: string,
  groupId: string,
  count: number,
  handlerMs: number,
  maxInFlightPerPartition: number,
): Promise<number> {
  let seen = 0;
  let started = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const metrics = createEventMetrics();
  const transport = createKafkaTransport({ kafka, logger, metrics });
  const member = transport.subscribe({
    groupId,
    topics: [topic],
    logger,
    metrics,
    maxInFlightPerPartition,
    partitionsConsumedConcurrently: 6,
    handlers: {
      'component.updated': async () => {
        started ||= performance.now();
        if (handlerMs > 0) await sleep(handlerMs);
        if (++seen === count) resolve();
      },
    },
  });
  member.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  await member.stop();
  await transport.close();
  return seconds;
}

async function main() {
  ensureContextManager();
  const kafka = createKafka({ brokers, clientId: 'bench', logger });
  const runtime = __filename.endsWith('.ts') ? 'tsx (esbuild __name wrappers)' : 'compiled (tsc)';
  console.log(`node ${process.version}, ${runtime}; load average at start: ${load()}`);

  const topic = await createTopic(kafka, 6, EVENTS, 1000);
  const groups: string[] = [];
  const group = (name: string) => {
    groups.push(`${topic}-${name}-${groups.length}`);
    return groups.at(-1)!;
  };
  await bareKafkajs(kafka, topic, group('warm-up'), EVENTS);
  // Rounds interleaved (bare, transport, bare, …): a load that comes and goes on a shared
  // machine hits both sides alike; the ratio is taken per round, then its median.
  const bare: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(EVENTS / (await bareKafkajs(kafka, topic, group('bare'), EVENTS)));
    const seconds = await transportMember(kafka, topic, group('transport'), EVENTS, 0, 16);
    ours.push(EVENTS / seconds);
    ratios.push(ours.at(-1)! / bare.at(-1)!);
  }
  await cleanup(kafka, topic, groups);
  const list = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
  console.log(`\nThroughput, ${EVENTS} events, 6 partitions, 1000 keys, no-op handler`);
  console.log(
    `  bare kafkajs eachBatch (JSON.parse):  ${median(bare).toFixed(0)} events/s (${list(bare)})`,
  );
  console.log(
    `  transport member (16 keys/partition): ${median(ours).toFixed(0)} events/s (${list(ours)})`,
  );
  console.log(
    `  ratio transport / bare, per round:    median ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')})`,
  );
  console.log(`  load average after: ${load()}`);

  console.log(`\nKey-level concurrency, ${KEYED_EVENTS} events, 1 partition, 5 ms handler`);
  console.log('  | keys | maxInFlight | seconds | events/s | vs 1 key |');
  console.log('  |-----:|------------:|--------:|---------:|---------:|');
  let base = 0;
  for (const keys of [1, 10, 100, 1000]) {
    const keyed = await createTopic(kafka, 1, KEYED_EVENTS, keys);
    const groupId = `${keyed}-keys`;
    const seconds = await transportMember(kafka, keyed, groupId, KEYED_EVENTS, 5, 1000);
    await cleanup(kafka, keyed, [groupId]);
    base ||= seconds;
    console.log(
      `  | ${keys} | 1000 | ${seconds.toFixed(2)} | ${(KEYED_EVENTS / seconds).toFixed(0)} | ${(base / seconds).toFixed(1)}x |`,
    );
  }
  console.log(`  load average at the end: ${load()}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
