import { WorkflowError } from '../../errors';

/** Why a script reference or option was refused, as the GraphQL boundary names it. */
export const SCRIPT_INPUT_REFUSALS = ['BAD_USER_INPUT', 'FORBIDDEN'] as const;
export type ScriptInputRefusal = (typeof SCRIPT_INPUT_REFUSALS)[number];

/**
 * A script reference or step option that is malformed or missing (`BAD_USER_INPUT`) or points outside the
 * configured folders (`FORBIDDEN`: `..`, an absolute path elsewhere, a symlink leading out).
 * Never retriable: the definition or the run input must change.
 */
export class ScriptInputError extends WorkflowError {
  override readonly name = 'ScriptInputError';
  constructor(
    readonly refusal: ScriptInputRefusal,
    readonly script: string,
    detail: string,
  ) {
    super('ACTION_INPUT_INVALID', `script.run: ${refusal}: ${detail}`);
  }
}

/** A script that ended with a non-zero exit code or a signal; carries the tail of its stderr. */
export class ScriptExitError extends WorkflowError {
  override readonly name = 'ScriptExitError';
  constructor(
    readonly script: string,
    readonly exitCode: number | null,
    readonly exitSignal: NodeJS.Signals | null,
    readonly stderrTail: string,
  ) {
    const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${exitCode}`;
    // Retriable like any failed action: the step's retry policy decides.
    super(
      'ACTION_FAILED',
      `script.run: ${script} ${how}; stderr tail: ${stderrTail || '(empty)'}`,
      true,
    );
  }
}

/** Why a script's stdout was refused. */
export const SCRIPT_OUTPUT_PROBLEMS = ['TOO_LARGE', 'NOT_JSON', 'SCHEMA'] as const;
export type ScriptOutputProblem = (typeof SCRIPT_OUTPUT_PROBLEMS)[number];

/** Stdout beyond its bound, not one JSON value, or a value that breaks the output schema. */
export class ScriptOutputError extends WorkflowError {
  override readonly name = 'ScriptOutputError';
  constructor(
    readonly problem: ScriptOutputProblem,
    readonly script: string,
    detail: string,
  ) {
    super('ACTION_OUTPUT_INVALID', `script.run: ${script}: ${detail}`);
  }
}
