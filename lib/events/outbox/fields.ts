import type { Model } from 'mongoose';
import type { CloudEvent } from '../envelope';

/**
 * An event the relay set aside because it can never be sent (the broker or its contract refuses
 * it for good), in the `parkedEvents` list of its aggregate document, with why and where it was
 * going. Listed, retried and discarded through the operations subgraph (`parkedEvents`).
 */
export interface ParkedOutboxEvent {
  event: CloudEvent;
  /** The refusal's message. */
  reason: string;
  /** The refusal's code: `VALIDATION_FAILED`, `UNKNOWN_EVENT_TYPE`, a broker error type, … */
  code?: string;
  /** The topic the relay was sending to (absent on events parked before it was recorded). */
  topic?: string;
  at: Date;
}

/**
 * Fields an aggregate document carries to publish its events transactionally without
 * multi-document transactions: the change and its pending events are written in one
 * single-document update, and the relay clears them once Kafka acknowledged them.
 */
export interface OutboxFields {
  /** Events committed with the aggregate, not yet acknowledged by Kafka, in sequence order. */
  pendingEvents: CloudEvent[];
  /** Last sequence number used for this aggregate's events. */
  eventSequence: number;
  /**
   * True while `pendingEvents` is not empty: an indexed equality the relay finds work by, instead
   * of scanning the collection for non-empty arrays. Every write that adds pending events sets it
   * in the same update ({@link OUTBOX_PENDING}); the relay clears it with its compare-and-set.
   */
  outboxPending?: boolean;
  /** Events the relay set aside because they can never be sent (broken contract), with why. */
  parkedEvents?: ParkedOutboxEvent[];
  /**
   * True while `parkedEvents` is not empty ({@link OUTBOX_PARKED}): the indexed equality the
   * operations subgraph lists parked events by, instead of scanning every outbox collection.
   */
  outboxParked?: boolean;
}

/** The indexed flag of {@link OutboxFields}: writers `$set` it with the events they add. */
export const OUTBOX_PENDING = 'outboxPending';

/** The indexed flag of documents holding parked events (set with them, cleared when none is left). */
export const OUTBOX_PARKED = 'outboxParked';

/** Mongoose schema fragment for {@link OutboxFields}. */
export const outboxSchemaFields = {
  pendingEvents: { type: [Object], default: () => [] },
  eventSequence: { type: Number, default: 0 },
  outboxPending: { type: Boolean, default: false, index: true },
  parkedEvents: { type: [Object], default: undefined },
  // Sparse: only the (rare) documents holding parked events are in the index.
  outboxParked: { type: Boolean, default: undefined, index: true, sparse: true },
};

/** Documents with events waiting for Kafka. */
export const PENDING_FILTER = { [OUTBOX_PENDING]: true };

/** Documents holding parked events. */
export const PARKED_FILTER = { [OUTBOX_PARKED]: true };

/** An aggregate model and the topic its events go to. */
export interface OutboxSource {
  // Mongoose model types are invariant in their document type; the relay touches only outbox fields.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>;
  topic: string;
  /**
   * Order in which pending documents are relayed, when one aggregate's events span several
   * documents (workflow commits: `{ runId: 1, revision: 1 }`), so its events reach Kafka in
   * sequence order. @default none (each document holds a whole aggregate)
   */
  order?: Record<string, 1 | -1>;
}

/** What the relay reads of a pending document. */
export type PendingDoc = { _id: string; pendingEvents: CloudEvent[]; eventSequence: number };
