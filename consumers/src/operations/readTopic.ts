import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

/** A record read back from a topic. */
export interface TopicRecord {
  partition: number;
  message: KafkaMessage;
}

/** Options of {@link readTopic}. */
export interface ReadTopicOptions {
  kafka: Kafka;
  topic: string;
  /** Gives up after this long. @default 30000 */
  timeoutMs?: number;
}

/**
 * Reads every record currently in a topic (up to the high watermarks seen at the start) with a
 * throw-away consumer group that commits nothing and is deleted afterwards.
 */
export async function readTopic({
  kafka,
  topic,
  timeoutMs = 30_000,
}: ReadTopicOptions): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      throw new Error(`topic ${topic} does not exist (check KAFKA_TOPIC_PREFIX and --domain)`);
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    const remaining = new Map(
      offsets
        .filter(({ high, low }) => BigInt(high) > BigInt(low))
        .map(({ partition, high }) => [partition, BigInt(high) - 1n]),
    );
    if (remaining.size === 0) return [];
    const groupId = `reader-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    const records: TopicRecord[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
          timeoutMs,
        );
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const last = remaining.get(batch.partition);
              if (last === undefined) return;
              for (const message of batch.messages) {
                if (BigInt(message.offset) > last) break;
                records.push({ partition: batch.partition, message });
                if (BigInt(message.offset) === last) remaining.delete(batch.partition);
              }
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return records.sort(
      (a, b) =>
        a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
    );
  } finally {
    await admin.disconnect();
  }
}
