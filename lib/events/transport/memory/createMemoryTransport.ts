import type { Message } from 'kafkajs';
import { platformContracts } from '../../contracts';
import { encodeEvent } from '../../kafkaCodec';
import { eventMetrics } from '../../metrics';
import { systemClock } from '../clock';
import {
  GroupActiveError,
  type EventTransport,
  type ReplayResult,
  type SubscribeOptions,
  type TopicRecord,
  type TransportOptions,
} from '../eventTransport';
import { createReplayApplier } from '../pipeline/replayApplier';
import { createMemoryMember, type MemoryMember } from './createMemoryMember';
import { MemoryLog } from './memoryLog';

/** Options of {@link createMemoryTransport}. */
export interface MemoryTransportOptions extends TransportOptions {
  /** Partitions of every topic. @default 3 */
  partitions?: number;
}

/** The memory transport: the Kafka transport's semantics in one process, for the fast tier. */
export interface MemoryTransport extends EventTransport {
  subscribe(options: SubscribeOptions): MemoryMember;
  /** Creates a topic with its own partition count (others get the default on first use). */
  createTopic(topic: string, partitions: number): void;
}

/** Creates a {@link MemoryTransport}; time comes from `clock` (a manual clock in tests). */
export function createMemoryTransport(options: MemoryTransportOptions): MemoryTransport {
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? eventMetrics();
  const contracts = options.contracts ?? platformContracts();
  const deadLetterTopic = options.deadLetterTopic ?? ((topic: string) => `${topic}.dlq`);
  const log = new MemoryLog(options.partitions ?? 3, clock.now);
  const sendDeadLetter = async (topic: string, record: Message) =>
    log.append(deadLetterTopic(topic), [record]);
  const records = (topic: string, from?: Date): TopicRecord[] => {
    const starts = log.offsetsAt(topic, from);
    return log
      .topic(topic)
      .flatMap((messages, partition) =>
        messages.slice(starts[partition]!.start).map((message) => ({ topic, partition, message })),
      );
  };

  return {
    kind: 'memory',
    async publish(topic, events) {
      for (const event of events) contracts.validate(event as unknown as Record<string, unknown>);
      log.append(topic, events.map(encodeEvent));
      for (const event of events) metrics.produced.inc({ type: event.type });
    },
    async publishRecords(topic, batch) {
      log.append(topic, batch);
    },
    subscribe: (subscription) =>
      createMemoryMember({ log, clock, metrics, ctx: { contracts, sendDeadLetter } }, subscription),
    createTopic(topic, partitions) {
      log.topic(topic, partitions);
      log.topic(deadLetterTopic(topic), partitions);
    },
    async read(topic, { from } = {}) {
      return records(topic, from);
    },
    async replay(replay): Promise<ReplayResult> {
      const applier = createReplayApplier(replay, { contracts, metrics, clock, sendDeadLetter });
      const selected = records(replay.topic, replay.from);
      for (const partition of new Set(selected.map((r) => r.partition))) {
        const messages = selected.filter((r) => r.partition === partition).map((r) => r.message);
        await applier.apply(partition, messages);
      }
      return { read: selected.length, applied: applier.applied };
    },
    async rewind(groupId, topic, from) {
      const group = log.group(groupId);
      if (group.members.size > 0) throw new GroupActiveError(groupId, group.members.size);
      const partitions = log.offsetsAt(topic, from).map(({ partition, start }) => {
        group.committed.set(`${topic}:${partition}`, BigInt(start));
        return { partition, offset: String(start) };
      });
      return { topic, groupId, partitions };
    },
    async members(groupId) {
      return log.group(groupId).members.size;
    },
    async lag(groupId, topic) {
      const group = log.group(groupId);
      return log
        .topic(topic)
        .reduce(
          (sum, messages, p) =>
            sum + messages.length - Number(group.committed.get(`${topic}:${p}`) ?? 0n),
          0,
        );
    },
    async close() {
      log.wake();
    },
  };
}
