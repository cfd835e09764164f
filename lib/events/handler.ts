import type { CloudEvent } from './envelope';

/** Where a record came from, passed to handlers for logging and idempotency. */
export interface EventOrigin {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp (ms since epoch, as a string like kafkajs gives it). */
  timestamp?: string;
  /** Consumer group handling the record. */
  groupId?: string;
}

/**
 * Handles one event type. Throwing makes the consumer framework retry (with backoff) errors not
 * marked `retriable: false`, and dead-letter the event once attempts run out or at once for
 * permanent errors.
 */
export type EventHandler = (event: CloudEvent, origin: EventOrigin) => Promise<void>;
