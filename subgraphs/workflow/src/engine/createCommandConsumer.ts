import type { Consumer, Kafka } from 'kafkajs';
import { decodeEvent, type CloudEvent, type EventHandler } from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';

/** Options of {@link createCommandConsumer}. */
export interface CommandConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  /** Handlers by CloudEvents type; the workflow topic also carries progress events, which are skipped. */
  handlers: Record<string, EventHandler>;
  logger: Logger;
  /** Partitions handled at once (one run is always on one partition, so runs stay serial). @default 6 */
  partitionsConsumedConcurrently?: number;
}

/** A consumer group member of the engine. */
export interface CommandConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The engine's consumer. The platform's partitioned framework validates every event against a
 * published contract and dead-letters unknown types; engine commands are internal to the
 * workflow role, so this small member dispatches them directly, in partition order, committing
 * only what was handled (a crash redelivers the command; the run's token makes that harmless).
 */
export function createCommandConsumer(options: CommandConsumerOptions): CommandConsumer {
  const { kafka, groupId, topic, handlers, logger } = options;
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 30_000,
  });
  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 6,
        eachMessage: async ({ partition, message, heartbeat }) => {
          let event: CloudEvent;
          try {
            event = decodeEvent(message) as unknown as CloudEvent;
          } catch (error) {
            logger.error(
              { err: error, topic, partition, offset: message.offset },
              'undecodable record skipped',
            );
            return;
          }
          const handler = handlers[event.type];
          if (!handler) return;
          try {
            await handler(event, { topic, partition, offset: message.offset, groupId });
          } catch (error) {
            // kafkajs retries the record after this (not committed); log once per failure with its origin.
            logger.warn(
              {
                err: error,
                type: event.type,
                subject: event.subject,
                partition,
                offset: message.offset,
              },
              'command failed; will be redelivered',
            );
            throw error;
          }
          await heartbeat();
        },
      });
    },
    stop: () => consumer.disconnect(),
  };
}
