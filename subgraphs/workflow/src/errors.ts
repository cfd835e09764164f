/** Codes of the workflow area's internal errors. */
export const WORKFLOW_ERROR_CODES = [
  'INVALID_DEFINITION',
  'ACTION_INPUT_INVALID',
  'ACTION_OUTPUT_INVALID',
  'ACTION_TIMEOUT',
  'ACTION_FAILED',
  'EXPRESSION_FAILED',
  'STEP_INTERRUPTED',
  'APPROVAL_REJECTED',
  'APPROVAL_TIMEOUT',
  'WAIT_TIMEOUT',
  /** An outbound call refused without being made: its circuit breaker is open (retriable). */
  'CIRCUIT_OPEN',
] as const;
export type WorkflowErrorCode = (typeof WORKFLOW_ERROR_CODES)[number];

/** Base error of the workflow area; `retriable` tells the engine whether a retry may help. */
export class WorkflowError extends Error {
  override readonly name: string = 'WorkflowError';
  constructor(
    readonly code: WorkflowErrorCode,
    message: string,
    readonly retriable = false,
  ) {
    super(message);
  }
}

/** A definition refused at validation; `path` is a JSON pointer into the submitted definition. */
export class DefinitionError extends WorkflowError {
  override readonly name = 'DefinitionError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super('INVALID_DEFINITION', `${path || '/'}: ${detail}`);
  }
}
