import type { Kafka } from 'kafkajs';

/** A partition's offset. */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

/** Runs `work` with a connected admin client, disconnecting after. */
export async function withAdmin<T>(
  kafka: Kafka,
  work: (admin: ReturnType<Kafka['admin']>) => Promise<T>,
): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The end (high watermark) of every partition; a topic created moments ago gets a few tries,
 * for as long as `wanted()` (the caller may have been stopped meanwhile).
 */
export async function endOffsets(
  kafka: Kafka,
  topic: string,
  wanted: () => boolean = () => true,
): Promise<PartitionOffset[]> {
  return withAdmin(kafka, async (admin) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.map((o) => ({ partition: o.partition, offset: o.high }));
      } catch (error) {
        // Leaders of a fresh topic are elected within moments.
        if (attempt >= 30 || !wanted()) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });
}

/** Per partition: the first offset at or after `from` (its end when nothing is that recent). */
export async function offsetsAt(
  kafka: Kafka,
  topic: string,
  from: Date | undefined,
): Promise<{ partition: number; start: bigint; end: bigint }[]> {
  return withAdmin(kafka, async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const found = from
      ? await admin.fetchTopicOffsetsByTimestamp(topic, from.getTime())
      : ends.map((e) => ({ partition: e.partition, offset: e.low }));
    return ends.map((end) => {
      const at = found.find((f) => f.partition === end.partition)?.offset ?? '-1';
      return {
        partition: end.partition,
        start: at === '-1' ? BigInt(end.high) : BigInt(at),
        end: BigInt(end.high),
      };
    });
  });
}
