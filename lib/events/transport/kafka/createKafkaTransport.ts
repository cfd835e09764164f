import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { platformContracts } from '../../contracts';
import { eventMetrics } from '../../metrics';
import { createEventPublisher } from '../../publisher';
import { systemClock } from '../clock';
import {
  GroupActiveError,
  type EventTransport,
  type ReplayResult,
  type TopicRecord,
  type TransportOptions,
} from '../eventTransport';
import { createReplayApplier } from '../pipeline/replayApplier';
import { createKafkaMember } from './createKafkaMember';
import type { KafkaTransportShared } from './kafkaTransportShared';
import { scanTopic } from './scanTopic';
import { offsetsAt, withAdmin } from './topicOffsets';

/** Options of {@link createKafkaTransport}. */
export interface KafkaTransportOptions extends TransportOptions {
  kafka: Kafka;
  /** Runs before publishing and before each member joins (e.g. topic creation). */
  prepare?: () => Promise<void>;
  /** Prefix of the transport's own throw-away groups; the platform's topic prefix. @default '' */
  groupPrefix?: string;
}

/** Creates the Kafka {@link EventTransport}: kafkajs underneath, one supervised member per group. */
export function createKafkaTransport(options: KafkaTransportOptions): EventTransport {
  const { kafka } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? eventMetrics();
  const contracts = options.contracts ?? platformContracts();
  const deadLetterTopic = options.deadLetterTopic ?? ((topic: string) => `${topic}.dlq`);
  const prepare = options.prepare ?? (async () => undefined);
  const publisher = createEventPublisher(kafka, { prepare, contracts, metrics });
  let producer: Producer | undefined;
  let producerReady: Promise<Producer> | undefined;
  const rawProducer = () => {
    producerReady ??= (async () => {
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      producerReady = undefined;
      throw error;
    });
    return producerReady;
  };
  const send = async (topic: string, messages: Message[]) => {
    await (await rawProducer()).send({ topic, acks: -1, messages });
  };
  const shared: KafkaTransportShared = {
    clock,
    metrics,
    contracts,
    prepare,
    groupPrefix: options.groupPrefix ?? '',
    sendDeadLetter: (originTopic, record) => send(deadLetterTopic(originTopic), [record]),
  };

  return {
    kind: 'kafka',
    publish: (topic, events) => publisher.publish(topic, events),
    publishRecords: (topic, records) => send(topic, records),
    subscribe: (subscription) => createKafkaMember(kafka, shared, subscription),
    async read(topic, { from, timeoutMs = 30_000 } = {}) {
      const records: TopicRecord[] = [];
      await scanTopic({
        kafka,
        topic,
        from,
        timeoutMs,
        groupPrefix: shared.groupPrefix,
        onBatch: async (partition, messages) => {
          for (const message of messages) records.push({ topic, partition, message });
        },
      });
      return records.sort(
        (a, b) =>
          a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
      );
    },
    async replay(replay): Promise<ReplayResult> {
      const applier = createReplayApplier(replay, shared);
      const read = await scanTopic({
        kafka,
        topic: replay.topic,
        from: replay.from,
        timeoutMs: replay.timeoutMs ?? 120_000,
        groupPrefix: shared.groupPrefix,
        onBatch: applier.apply,
      });
      return { read, applied: applier.applied };
    },
    async rewind(groupId, topic, from) {
      return withAdmin(kafka, async (admin) => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        const members = group?.members.length ?? 0;
        if (members > 0) throw new GroupActiveError(groupId, members);
        const ranges = await offsetsAt(kafka, topic, from);
        const partitions = ranges.map((r) => ({
          partition: r.partition,
          offset: r.start.toString(),
        }));
        await admin.setOffsets({ groupId, topic, partitions });
        return { topic, groupId, partitions };
      });
    },
    async members(groupId) {
      return withAdmin(kafka, async (admin) => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return group?.members.length ?? 0;
      });
    },
    async lag(groupId, topic) {
      return withAdmin(kafka, async (admin) => {
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId, topics: [topic] }),
        ]);
        const done = new Map(
          (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
        );
        let lag = 0n;
        for (const end of ends) {
          const at = done.get(end.partition) ?? -1n;
          const from = at < 0n ? BigInt(end.low) : at;
          if (BigInt(end.high) > from) lag += BigInt(end.high) - from;
        }
        return Number(lag);
      });
    },
    async close() {
      await publisher.disconnect().catch(() => undefined);
      await producer?.disconnect().catch(() => undefined);
    },
  };
}
