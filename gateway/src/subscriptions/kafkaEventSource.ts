import type { Consumer, Kafka } from 'kafkajs';
import { decodeEvent, type CloudEvent } from '../../../lib/events';
import type { Logger } from '../../../lib/logging';
import type { EventListener, EventSource } from './eventSource';

/** Options of {@link createKafkaEventSource}. */
export interface KafkaEventSourceOptions {
  kafka: Kafka;
  topics: string[];
  /** Unique per gateway instance, so every instance receives every event. */
  groupId: string;
  logger: Logger;
  /** How long `start` waits for the group join. @default 30000 */
  readyTimeoutMs?: number;
}

/** A live event source backed by one Kafka consumer per gateway instance. */
export interface KafkaEventSource extends EventSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly ready: boolean;
}

/**
 * Creates the gateway's Kafka event source: a consumer in its own group starting at the end of
 * each partition (subscribers catch up from the store, not from Kafka), fanning events out to
 * in-process listeners by topic. `start` pins each partition's position to its end offset read
 * before joining, so no event published after `start` began can be missed.
 */
export function createKafkaEventSource(options: KafkaEventSourceOptions): KafkaEventSource {
  const { kafka, topics, groupId, logger } = options;
  const listeners = new Map<string, Set<EventListener>>();
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxWaitTimeInMs: 100,
  });
  const log = logger.child({ component: 'subscription-events', groupId });
  let ready = false;
  return {
    get ready() {
      return ready;
    },
    listen(topic, listener) {
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    async start() {
      // Capture the end of every partition before joining, then seek there once assigned: events
      // published after this point are all consumed, whatever "latest" resolves to later.
      const admin = kafka.admin();
      await admin.connect();
      // A topic created moments ago may not have elected its leaders yet: retry for a while.
      const endOffsets = async (topic: string) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await admin.fetchTopicOffsets(topic);
          } catch (error) {
            if (attempt >= 30) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      };
      const ends: { topic: string; partition: number; offset: string }[] = [];
      try {
        for (const topic of topics) {
          for (const p of await endOffsets(topic)) {
            ends.push({ topic, partition: p.partition, offset: p.high });
          }
        }
      } finally {
        await admin.disconnect();
      }
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: false });
      const timeoutMs = options.readyTimeoutMs ?? 30_000;
      const joined = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`Kafka group not joined within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
          clearTimeout(timer);
          remove();
          resolve();
        });
      });
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const set = listeners.get(topic);
          if (!set || set.size === 0) return;
          let event: CloudEvent;
          try {
            event = decodeEvent(message) as unknown as CloudEvent;
          } catch (error) {
            log.warn({ err: error, topic, partition, offset: message.offset }, 'undecodable event');
            return;
          }
          for (const listener of set) listener(event);
        },
      });
      await joined;
      for (const end of ends) consumer.seek(end);
      ready = true;
    },
    async stop() {
      ready = false;
      await consumer.disconnect();
    },
  };
}
