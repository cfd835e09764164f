import { WorkflowError, type WorkflowErrorCode } from '../../errors';

/** Why an AI action failed (`reason` of {@link AiActionError}). */
export const AI_ERROR_REASONS = [
  /** The provider has no API key configured: fails at once, never retried. */
  'NOT_CONFIGURED',
  /** The provider refused the request (4xx other than 429): its message, never retried. */
  'PROVIDER_REJECTED',
  /** 5xx, 429 or a network error after the last attempt (retriable by the step's policy). */
  'PROVIDER_UNAVAILABLE',
  /** The provider did not answer within the request deadline after the last attempt. */
  'PROVIDER_TIMEOUT',
  /** A 2xx answer without the documented shape (no text). */
  'RESPONSE_INVALID',
  /** The completion never matched the step's `validate` schema within its attempts. */
  'OUTPUT_INVALID',
  /** `enhance` was asked for but no project context could be had. */
  'CONTEXT_UNAVAILABLE',
  /** The provider's circuit breaker is open: refused without calling (retriable). */
  'CIRCUIT_OPEN',
] as const;
export type AiErrorReason = (typeof AI_ERROR_REASONS)[number];

const workflowCode = (reason: AiErrorReason): WorkflowErrorCode => {
  switch (reason) {
    case 'PROVIDER_TIMEOUT':
      return 'ACTION_TIMEOUT';
    case 'OUTPUT_INVALID':
      return 'ACTION_OUTPUT_INVALID';
    case 'CONTEXT_UNAVAILABLE':
      return 'ACTION_INPUT_INVALID';
    case 'CIRCUIT_OPEN':
      return 'CIRCUIT_OPEN';
    default:
      return 'ACTION_FAILED';
  }
};

/**
 * An AI action's failure. It is a {@link WorkflowError} (so the engine honours `retriable`); the
 * AI-specific `reason` also opens its message, e.g. `ai.complete: NOT_CONFIGURED: …`.
 */
export class AiActionError extends WorkflowError {
  override readonly name = 'AiActionError';
  constructor(
    readonly reason: AiErrorReason,
    detail: string,
    retriable = false,
    /** HTTP status of the provider's last answer, when there was one. */
    readonly status?: number,
  ) {
    super(workflowCode(reason), `ai.complete: ${reason}: ${detail}`, retriable);
  }
}

/** Type guard for {@link AiActionError}. */
export const isAiActionError = (error: unknown): error is AiActionError =>
  error instanceof AiActionError;
