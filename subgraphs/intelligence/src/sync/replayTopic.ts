import type { Kafka } from 'kafkajs';
import { decodeEvent, type CloudEvent, type EventHandler } from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';

/** Options of {@link replayTopic}. */
export interface ReplayOptions {
  kafka: Kafka;
  topic: string;
  /** A fresh group id: the replay reads from the beginning and deletes the group afterwards. */
  groupId: string;
  handlers: Record<string, EventHandler>;
  logger: Logger;
  /** Gives up when the end offsets captured at the start are not reached in time. @default 120000 */
  timeoutMs?: number;
  onEvent?: (event: CloudEvent) => void;
}

/**
 * Replays a topic from the beginning up to the end offsets it had when the replay started, through
 * a temporary consumer group, applying each event with the (idempotent) handlers.
 * @returns number of events applied
 */
export async function replayTopic(options: ReplayOptions): Promise<number> {
  const { kafka, topic, groupId, handlers, logger } = options;
  const admin = kafka.admin();
  await admin.connect();
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000 });
  let applied = 0;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const targets = new Map(
      offsets
        .filter((o) => BigInt(o.high) > BigInt(o.low))
        .map((o) => [o.partition, BigInt(o.high)]),
    );
    if (targets.size === 0) return 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`replay of ${topic} timed out`)),
        options.timeoutMs ?? 120_000,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const target = targets.get(partition);
            if (target === undefined || BigInt(message.offset) >= target) return;
            try {
              const event = decodeEvent(message) as unknown as CloudEvent;
              const handler = handlers[event.type];
              if (handler) {
                await handler(event, { topic, partition, offset: message.offset, groupId });
                applied++;
                options.onEvent?.(event);
              }
            } catch (error) {
              // A replay must not stall on one bad record: the live consumer dead-letters those.
              logger.warn(
                { err: error, partition, offset: message.offset },
                'replay skipped a record',
              );
            }
            if (BigInt(message.offset) + 1n >= target) targets.delete(partition);
            if (targets.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return applied;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Events the live group has not yet consumed on `topic` (sum over partitions). */
export async function groupLag(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const byPartition = new Map(
      (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
    );
    let lag = 0n;
    for (const end of ends) {
      const done = byPartition.get(end.partition) ?? -1n;
      const from = done < 0n ? BigInt(end.low) : done;
      if (BigInt(end.high) > from) lag += BigInt(end.high) - from;
    }
    return Number(lag);
  } finally {
    await admin.disconnect();
  }
}
