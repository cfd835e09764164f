import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../logging';
import type { CloudEvent } from './envelope';
import { decodeEvent } from './kafkaCodec';

/** Where a record came from, passed to handlers for logging and idempotency. */
export interface EventOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/** Handles one event type; throwing makes the framework retry or dead-letter it. */
export type EventHandler = (event: CloudEvent, origin: EventOrigin) => Promise<void>;

/** Options of {@link createEventConsumer}. */
export interface EventConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Handlers by CloudEvents `type`; events of other types are skipped. */
  handlers: Record<string, EventHandler>;
  logger: Logger;
  /** Where a new group starts. @default true (a new read model wants every event) */
  fromBeginning?: boolean;
}

/** A running consumer group member. */
export interface EventConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Creates a consumer group member that dispatches events to handlers by type, in partition order. */
export function createEventConsumer({
  kafka,
  groupId,
  topics,
  handlers,
  logger,
  fromBeginning = true,
}: EventConsumerOptions): EventConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
  });
  const log = logger.child({ groupId });
  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning });
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const origin = { topic, partition, offset: message.offset };
          let event: CloudEvent;
          try {
            event = decodeEvent(message) as unknown as CloudEvent;
          } catch (error) {
            log.error({ err: error, ...origin }, 'undecodable record skipped');
            return;
          }
          const handler = handlers[event.type];
          if (!handler) return;
          await handler(event, origin);
        },
      });
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
