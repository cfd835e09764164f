/** Codes of the event pipeline's own errors; `retriable` says whether trying again can help. */
export const EVENT_ERROR_CODES = [
  'DECODE_FAILED',
  'VALIDATION_FAILED',
  'UNKNOWN_EVENT_TYPE',
  'HANDLER_FAILED',
  'MISSING_SEQUENCE',
  'POISON',
] as const;
export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number];

/** Base class of event pipeline errors: a closed `code` and a `retriable` flag (as kafkajs does). */
export class EventError extends Error {
  override readonly name: string = 'EventError';
  constructor(
    readonly code: EventErrorCode,
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An event that breaks its JSON Schema contract (envelope or data); never retriable. */
export class EventValidationError extends EventError {
  override readonly name = 'EventValidationError';
  constructor(message: string) {
    super('VALIDATION_FAILED', message, false);
  }
}

/** An event whose `type` (or version) has no contract in schema/events; never retriable. */
export class UnknownEventTypeError extends EventError {
  override readonly name = 'UnknownEventTypeError';
  constructor(type: string, version: number) {
    super('UNKNOWN_EVENT_TYPE', `no contract for event type "${type}" v${version}`, false);
  }
}

/**
 * Thrown by a handler for an event it can never process (a business rule rejects it): goes to the
 * DLQ at once instead of being retried.
 */
export class PermanentHandlerError extends EventError {
  override readonly name = 'PermanentHandlerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('HANDLER_FAILED', message, false, options);
  }
}

/**
 * An event that replaces aggregate state but carries no `sequence`: it cannot be ordered against
 * the aggregate's other events, so it is dead-lettered with this reason (never retried).
 */
export class MissingSequenceError extends EventError {
  override readonly name = 'MissingSequenceError';
  constructor(message: string) {
    super('MISSING_SEQUENCE', message, false);
  }
}

/** Whether an error may succeed on a retry: anything not explicitly marked `retriable: false`. */
export function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | null)?.retriable !== false;
}
