import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { offsetsAt, withAdmin } from './topicOffsets';

/** Options of {@link scanTopic}. */
export interface ScanOptions {
  kafka: Kafka;
  topic: string;
  /** Records at or after this time; all when absent. */
  from?: Date | undefined;
  /** Prefix of the throw-away group. */
  groupPrefix: string;
  timeoutMs: number;
  /** Receives each partition's records in offset order, batch by batch. */
  onBatch(partition: number, messages: KafkaMessage[]): Promise<void>;
}

/**
 * Reads a topic from `from` up to the end offsets seen at the call through a throw-away group
 * (positioned before it joins, committing nothing, deleted after).
 * @returns records read
 */
export async function scanTopic(options: ScanOptions): Promise<number> {
  const { kafka, topic, timeoutMs } = options;
  const exists = await withAdmin(kafka, async (admin) =>
    (await admin.listTopics()).includes(topic),
  );
  if (!exists) throw new Error(`topic ${topic} does not exist`);
  const ranges = (await offsetsAt(kafka, topic, options.from)).filter((r) => r.end > r.start);
  if (ranges.length === 0) return 0;
  const groupId = `${options.groupPrefix}scan-${randomUUID()}`;
  await withAdmin(kafka, (admin) =>
    admin.setOffsets({
      groupId,
      topic,
      partitions: ranges.map((r) => ({ partition: r.partition, offset: r.start.toString() })),
    }),
  );
  const remaining = new Map(ranges.map((r) => [r.partition, r.end]));
  const consumer = kafka.consumer({ groupId, retry: { restartOnFailure: async () => false } });
  let read = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        clearTimeout(timer);
        reject(payload.error);
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = remaining.get(batch.partition);
            if (end === undefined) return;
            const messages = batch.messages.filter((m) => BigInt(m.offset) < end);
            if (messages.length > 0) {
              read += messages.length;
              await options.onBatch(batch.partition, messages);
            }
            const last = batch.messages.at(-1);
            if (last && BigInt(last.offset) + 1n >= end) remaining.delete(batch.partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
  return read;
}
