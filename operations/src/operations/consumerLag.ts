import type { Kafka } from 'kafkajs';
import { withAdmin } from '../../../lib/events/transport/kafka/topicOffsets';

/** One partition: where the group committed, where the topic ends, and the difference. */
export interface PartitionLag {
  partition: number;
  /** Null when the group never committed on it (it starts where its reset policy says). */
  committed: string | null;
  end: string;
  lag: number;
}

/** A consumer group of this stack and how far behind each of its topics it is. */
export interface ConsumerGroupLag {
  groupId: string;
  /** Kafka's group state: Stable, Empty, PreparingRebalance, … */
  state: string;
  members: number;
  /** Sum over its partitions. */
  lag: number;
  topics: { topic: string; lag: number; partitions: PartitionLag[] }[];
}

/** Options of {@link readConsumerLag}. */
export interface ConsumerLagOptions {
  /** Only groups whose id starts with this (the stack's topic prefix): other stacks are not ours. */
  groupPrefix: string;
  /** One group instead of all. */
  groupId?: string;
}

const lagOf = (end: string, committed: string | null, low: string) =>
  Math.max(0, Number(BigInt(end) - BigInt(committed ?? low)));

/**
 * Reads, with one admin connection, the committed offsets of the stack's consumer groups and the
 * ends of their topics. A partition without a commit counts from the topic's start (what an
 * `earliest` consumer would read).
 */
export async function readConsumerLag(
  kafka: Kafka,
  options: ConsumerLagOptions,
): Promise<ConsumerGroupLag[]> {
  return withAdmin(kafka, async (admin) => {
    const { groups } = await admin.listGroups();
    const ids = groups
      .map((group) => group.groupId)
      .filter((id) => id.startsWith(options.groupPrefix))
      .filter((id) => options.groupId === undefined || id === options.groupId)
      .sort();
    if (ids.length === 0) return [];
    const described = await admin.describeGroups(ids);
    const ends = new Map<string, Awaited<ReturnType<typeof admin.fetchTopicOffsets>>>();
    const result: ConsumerGroupLag[] = [];
    for (const groupId of ids) {
      const committed = await admin.fetchOffsets({ groupId });
      const topics = [];
      for (const { topic, partitions } of [...committed].sort((a, b) =>
        a.topic.localeCompare(b.topic),
      )) {
        if (!ends.has(topic)) ends.set(topic, await admin.fetchTopicOffsets(topic));
        const byPartition = [...ends.get(topic)!].sort((a, b) => a.partition - b.partition);
        const rows = byPartition.map((end) => {
          const offset = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          const at = offset === '-1' ? null : offset;
          return {
            partition: end.partition,
            committed: at,
            end: end.high,
            lag: lagOf(end.high, at, end.low),
          };
        });
        topics.push({ topic, lag: rows.reduce((sum, row) => sum + row.lag, 0), partitions: rows });
      }
      const group = described.groups.find((g) => g.groupId === groupId);
      result.push({
        groupId,
        state: group?.state ?? 'Unknown',
        members: group?.members.length ?? 0,
        lag: topics.reduce((sum, topic) => sum + topic.lag, 0),
        topics,
      });
    }
    return result;
  });
}
