/** Terminal pseudo-target: `next: "$end"` finishes the run. */
export const END = '$end';

/** Retry policy of a step: total attempts and the delay between them. */
export interface RetryPolicy {
  attempts: number;
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number; maxDelayMs?: number };
}

/** An action invocation (also used for compensations). */
export interface ActionCall {
  action: string;
  /** String values starting with `=` are JSONata expressions over `{ input, outputs }`. */
  input?: Record<string, unknown>;
}

interface StepBase {
  id: string;
  name?: string;
}

/** Options shared by the steps that execute something. */
export interface ExecutableOptions {
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** `false`: never executed twice; an interrupted execution fails the step. @default true */
  idempotent?: boolean;
  compensation?: Compensation;
}

/** Undoes a completed step (saga); retried like the step itself unless it has its own policy. */
export interface Compensation extends ActionCall {
  retry?: RetryPolicy;
}

/** Runs one action. */
export interface ActionStep extends StepBase, ExecutableOptions, ActionCall {
  type: 'action';
  next?: string;
  onError?: string;
}

/** One branch of a parallel step: an action with its own retry and compensation. */
export interface ParallelBranch extends ExecutableOptions, ActionCall {
  id: string;
}

/** Fans out to branches concurrently and joins when all finished. */
export interface ParallelStep extends StepBase {
  type: 'parallel';
  branches: ParallelBranch[];
  /** Succeed with status `partial` when some (not all) branches fail. @default false */
  allowPartial?: boolean;
  next?: string;
  onError?: string;
}

/** Chooses the next step from conditions over earlier outputs. */
export interface DecisionStep extends StepBase {
  type: 'decision';
  branches: { when: string; next: string }[];
  default?: string;
}

/** Waits for a person to approve or reject. Rejection and timeout fail the step. */
export interface ApprovalStep extends StepBase {
  type: 'approval';
  assignee: string;
  message?: string;
  timeoutMs: number;
  next?: string;
  onError?: string;
}

export type StepDefinition = ActionStep | ParallelStep | DecisionStep | ApprovalStep;

/** A cron schedule starting runs of the definition. */
export interface ScheduleDefinition {
  id: string;
  cron: string;
  input?: Record<string, unknown>;
}

/** A validated workflow definition (see schema/workflows/definition.schema.json). */
export interface WorkflowSpec {
  id: string;
  version: string;
  name: string;
  description?: string;
  steps: StepDefinition[];
  schedules?: ScheduleDefinition[];
}
