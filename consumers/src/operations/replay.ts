import type { Kafka } from 'kafkajs';

/** Options of {@link replayFromTimestamp}. */
export interface ReplayOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  /** Records at or after this time are delivered again. */
  from: Date;
}

/** What a replay moved, per partition. */
export interface ReplayResult {
  topic: string;
  groupId: string;
  partitions: { partition: number; offset: string }[];
}

/**
 * Rewinds a consumer group on one topic to the first offset at or after `from`
 * (`fetchTopicOffsetsByTimestamp` + `setOffsets`). Kafka allows this only while the group has no
 * active member: stop its consumers first (the operations API does that for groups it hosts).
 * Order is kept (offsets per partition); handlers see the events again, and the group's dedup
 * store skips those already applied within its window.
 */
export async function replayFromTimestamp({
  kafka,
  groupId,
  topic,
  from,
}: ReplayOptions): Promise<ReplayResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, from.getTime());
    // A partition with nothing after `from` answers -1: start at its end.
    const ends = await admin.fetchTopicOffsets(topic);
    const partitions = found.map(({ partition, offset }) => ({
      partition,
      offset:
        offset === '-1' ? (ends.find((e) => e.partition === partition)?.high ?? offset) : offset,
    }));
    await admin.setOffsets({ groupId, topic, partitions });
    return { topic, groupId, partitions };
  } finally {
    await admin.disconnect();
  }
}
