/** Codes of the resilience layer's own errors. */
export const RESILIENCE_ERROR_CODES = ['CIRCUIT_OPEN'] as const;
export type ResilienceErrorCode = (typeof RESILIENCE_ERROR_CODES)[number];

/** Base class of resilience errors: a closed `code` and a `retriable` flag. */
export class ResilienceError extends Error {
  override readonly name: string = 'ResilienceError';
  constructor(
    readonly code: ResilienceErrorCode,
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A call refused without being made because its breaker is open (or half-open with its single
 * trial call already in flight). Retriable: the breaker lets a trial through at `nextAttemptAt`.
 */
export class CircuitOpenError extends ResilienceError {
  override readonly name = 'CircuitOpenError';
  constructor(
    /** Name (key) of the open breaker. */
    readonly breaker: string,
    /** When the breaker half-opens and lets a trial call through (null: a trial is in flight). */
    readonly nextAttemptAt: Date | null,
  ) {
    super(
      'CIRCUIT_OPEN',
      nextAttemptAt
        ? `circuit ${breaker} is open until ${nextAttemptAt.toISOString()}`
        : `circuit ${breaker} is half-open and its trial call is in flight`,
      true,
    );
  }
}

/** Whether `error` is a {@link CircuitOpenError} (also across module copies, by code). */
export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return (
    error instanceof CircuitOpenError ||
    (error instanceof Error && (error as { code?: unknown }).code === 'CIRCUIT_OPEN')
  );
}
