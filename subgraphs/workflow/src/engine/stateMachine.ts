import { randomUUID } from 'node:crypto';
import {
  END,
  type RetryPolicy,
  type StepDefinition,
  type WorkflowSpec,
} from '../definitions/types';
import type { RunStatus, StepRecord, WorkflowRunDoc } from '../models/WorkflowRun';
import { backoffDelay, canRetry } from './backoff';
import { EXECUTE_COMMAND, type OutgoingEvent, type ProgressDraft } from './runStore';

/** What one decision of the engine produces besides the new state. */
export interface Effects {
  progress: ProgressDraft[];
  events: OutgoingEvent[];
}

/** Fresh, empty effects. */
export const createEffects = (): Effects => ({ progress: [], events: [] });

/** A deep copy of a run to mutate as the next state. */
export const cloneRun = (run: WorkflowRunDoc): WorkflowRunDoc => structuredClone(run);

/** The top-level step with this id, or the parallel step that owns the branch. */
export function findStep(spec: WorkflowSpec, id: string): StepDefinition | undefined {
  return spec.steps.find(
    (step) =>
      step.id === id || (step.type === 'parallel' && step.branches.some((b) => b.id === id)),
  );
}

/** Where a step goes on success: its `next`, else the following step, else the end. */
export function successTarget(spec: WorkflowSpec, step: StepDefinition): string {
  if (step.type !== 'decision' && step.next) return step.next;
  const index = spec.steps.findIndex((candidate) => candidate.id === step.id);
  return spec.steps[index + 1]?.id ?? END;
}

/** Ids (steps and branches) whose compensation must run, most recent first. */
export function compensationPlan(spec: WorkflowSpec, completed: string[]): string[] {
  const compensable = new Set<string>();
  for (const step of spec.steps) {
    if (step.type === 'action' && step.compensation) compensable.add(step.id);
    if (step.type === 'parallel')
      for (const branch of step.branches) if (branch.compensation) compensable.add(branch.id);
  }
  return [...completed].reverse().filter((id) => compensable.has(id));
}

/** The record of a step, created on first use. */
export function stepRecord(state: WorkflowRunDoc, stepId: string): StepRecord {
  let record = state.steps.find((candidate) => candidate.stepId === stepId);
  if (!record) {
    record = { stepId, status: 'PENDING', attempts: 0 };
    state.steps.push(record);
  }
  return record;
}

function progress(state: WorkflowRunDoc, effects: Effects, draft: Omit<ProgressDraft, 'status'>) {
  effects.progress.push({ ...draft, status: state.status });
}

/** Makes `stepId` the next thing to execute: now (command) or later (timer claimed by any engine). */
export function scheduleNext(
  state: WorkflowRunDoc,
  effects: Effects,
  kind: 'step' | 'compensate',
  stepId: string,
  attempt: number,
  delayMs = 0,
) {
  const token = randomUUID();
  const notBefore = delayMs > 0 ? new Date(Date.now() + delayMs) : null;
  state.next = { kind, stepId, attempt, token, notBefore };
  state.wait = null;
  state.wakeAt = notBefore;
  if (!notBefore) effects.events.push({ type: EXECUTE_COMMAND, data: { runId: state._id, token } });
}

/** Ends the run with a terminal status. */
export function finishRun(
  state: WorkflowRunDoc,
  effects: Effects,
  status: RunStatus,
  message: string,
) {
  state.status = status;
  state.next = null;
  state.wait = null;
  state.wakeAt = null;
  state.finishedAt = new Date();
  // Signals kept for a later step end with the run (docs/workflow.md, "Early signals").
  const unconsumed = (state.pendingSignals ?? []).map((signal) => `"${signal.name}"`);
  state.pendingSignals = [];
  if (unconsumed.length > 0)
    progress(state, effects, {
      kind: 'STEP_PROGRESSED',
      message: `discarded unconsumed signals ${unconsumed.join(', ')}`,
    });
  progress(state, effects, { kind: 'COMPLETED', message });
}

/** Moves the run from `from` to `target`, recording the transition. */
export function transition(
  state: WorkflowRunDoc,
  effects: Effects,
  from: string,
  target: string,
  status: 'success' | 'failed' | 'partial',
  durationMs: number,
) {
  const to = target === END ? null : target;
  state.transitions.push({ from, to, at: new Date(), durationMs, status });
  state.status = 'RUNNING';
  progress(state, effects, { kind: 'TRANSITIONED', fromStep: from, toStep: to, message: status });
  if (to) scheduleNext(state, effects, 'step', to, 1);
  else if (status === 'failed') finishRun(state, effects, 'FAILED', `ended after ${from} failed`);
  else finishRun(state, effects, 'SUCCEEDED', 'run succeeded');
}

/** Records a successful step and moves on (`target` overrides the default successor, for decisions). */
export function completeStep(
  spec: WorkflowSpec,
  state: WorkflowRunDoc,
  effects: Effects,
  step: StepDefinition,
  result: {
    output: unknown;
    status?: 'success' | 'partial';
    target?: string;
    completed?: string[];
  },
) {
  const record = stepRecord(state, step.id);
  const finishedAt = new Date();
  const durationMs = record.startedAt
    ? finishedAt.getTime() - new Date(record.startedAt).getTime()
    : 0;
  Object.assign(record, {
    status: 'SUCCEEDED',
    finishedAt,
    durationMs,
    output: result.output,
    error: null,
  });
  state.outputs = { ...state.outputs, [step.id]: result.output };
  state.completed.push(...(result.completed ?? [step.id]));
  transition(
    state,
    effects,
    step.id,
    result.target ?? successTarget(spec, step),
    result.status ?? 'success',
    durationMs,
  );
}

/** Options of {@link failStep}. */
export interface StepFailure {
  message: string;
  /** False for failures a retry cannot fix (rejection, interrupted non-idempotent step). */
  retriable: boolean;
  retry?: RetryPolicy;
  attempt: number;
  /** Marks the step NEEDS_ATTENTION instead of FAILED (interrupted non-idempotent step). */
  needsAttention?: boolean;
}

/**
 * Handles a failed attempt: retry with backoff while allowed, else follow `onError`, else fail
 * the run, compensating completed steps in reverse order first.
 */
export function failStep(
  spec: WorkflowSpec,
  state: WorkflowRunDoc,
  effects: Effects,
  step: StepDefinition,
  failure: StepFailure,
) {
  const record = stepRecord(state, step.id);
  record.error = failure.message;
  if (failure.retriable && canRetry(failure.retry, failure.attempt)) {
    const delayMs = backoffDelay(failure.retry, failure.attempt + 1);
    record.status = 'FAILED';
    state.status = 'RUNNING';
    progress(state, effects, {
      kind: 'STEP_PROGRESSED',
      stepId: step.id,
      message: `attempt ${failure.attempt} failed (${failure.message}); retrying in ${delayMs} ms`,
    });
    scheduleNext(state, effects, 'step', step.id, failure.attempt + 1, delayMs);
    return;
  }
  const finishedAt = new Date();
  const durationMs = record.startedAt
    ? finishedAt.getTime() - new Date(record.startedAt).getTime()
    : 0;
  Object.assign(record, {
    status: failure.needsAttention ? 'NEEDS_ATTENTION' : 'FAILED',
    finishedAt,
    durationMs,
  });
  const onError = step.type === 'decision' ? undefined : step.onError;
  if (onError) {
    transition(state, effects, step.id, onError, 'failed', durationMs);
    return;
  }
  state.failedStepId = step.id;
  state.error = `${step.id}: ${failure.message}`;
  state.transitions.push({ from: step.id, to: null, at: finishedAt, durationMs, status: 'failed' });
  const plan = compensationPlan(spec, state.completed);
  const [first, ...rest] = plan;
  if (first) {
    state.status = 'RUNNING';
    state.compensating = rest;
    progress(state, effects, {
      kind: 'STEP_PROGRESSED',
      stepId: step.id,
      message: `failed: ${failure.message}; compensating ${plan.join(', ')}`,
    });
    scheduleNext(state, effects, 'compensate', first, 1);
    return;
  }
  state.next = null;
  finishRun(state, effects, 'FAILED', state.error);
}

/**
 * Handles a failed compensation attempt: retry with backoff while the policy allows, else the
 * run ends FAILED with the step needing attention.
 */
export function compensationAttemptFailed(
  state: WorkflowRunDoc,
  effects: Effects,
  stepId: string,
  error: string,
  retry: RetryPolicy | undefined,
  attempt: number,
) {
  if (!canRetry(retry, attempt)) {
    compensationDone(state, effects, stepId, error);
    return;
  }
  const delayMs = backoffDelay(retry, attempt + 1);
  progress(state, effects, {
    kind: 'STEP_PROGRESSED',
    stepId,
    message: `compensation attempt ${attempt} failed (${error}); retrying in ${delayMs} ms`,
  });
  scheduleNext(state, effects, 'compensate', stepId, attempt + 1, delayMs);
}

/**
 * Starts compensating the completed steps of a cancelled run, newest first; false when none
 * needs compensation (the caller then ends the run CANCELLED).
 */
export function startCancelCompensation(
  spec: WorkflowSpec,
  state: WorkflowRunDoc,
  effects: Effects,
): boolean {
  const [first, ...rest] = compensationPlan(spec, state.completed);
  if (!first || !state.cancelRequested) return false;
  state.cancelRequested = { ...state.cancelRequested, compensating: true };
  state.wait = null;
  state.compensating = rest;
  progress(state, effects, {
    kind: 'STEP_PROGRESSED',
    stepId: first,
    message: `cancelling; compensating ${[first, ...rest].join(', ')}`,
  });
  scheduleNext(state, effects, 'compensate', first, 1);
  return true;
}

/** Records a finished compensation and schedules the next one or ends the run COMPENSATED. */
export function compensationDone(
  state: WorkflowRunDoc,
  effects: Effects,
  stepId: string,
  error?: string,
) {
  const record = stepRecord(state, stepId);
  if (error) {
    record.error = `compensation failed: ${error}`;
    record.status = 'NEEDS_ATTENTION';
    finishRun(state, effects, 'FAILED', `compensation of ${stepId} failed: ${error}`);
    return;
  }
  record.status = 'COMPENSATED';
  progress(state, effects, { kind: 'STEP_PROGRESSED', stepId, message: 'compensated' });
  const [next, ...rest] = state.compensating;
  state.compensating = rest;
  if (next) scheduleNext(state, effects, 'compensate', next, 1);
  else if (state.cancelRequested)
    finishRun(state, effects, 'CANCELLED', cancelMessage(state.cancelRequested, 'compensated'));
  else
    finishRun(state, effects, 'COMPENSATED', `failed at ${state.failedStepId ?? '?'}; compensated`);
}

/** The closing message of a cancelled run. */
export function cancelMessage(
  cancel: NonNullable<WorkflowRunDoc['cancelRequested']>,
  outcome?: string,
): string {
  return `cancelled${cancel.reason ? `: ${cancel.reason}` : ''}${outcome ? `; ${outcome}` : ''}`;
}

/** Marks a step STARTED (before it executes, so a non-idempotent step is never run twice). */
export function markStarted(
  state: WorkflowRunDoc,
  effects: Effects,
  stepId: string,
  attempt: number,
  message?: string,
) {
  const record = stepRecord(state, stepId);
  Object.assign(record, {
    status: 'STARTED',
    attempts: attempt,
    startedAt: new Date(),
    finishedAt: null,
  });
  state.status = 'RUNNING';
  progress(state, effects, {
    kind: 'STEP_PROGRESSED',
    stepId,
    message: message ?? `started (attempt ${attempt})`,
  });
}

/** Suspends the run on a step (timer, signal or approval). */
export function suspend(
  state: WorkflowRunDoc,
  effects: Effects,
  wait: NonNullable<WorkflowRunDoc['wait']>,
  message: string,
) {
  stepRecord(state, wait.stepId).status = 'WAITING';
  state.status = 'WAITING';
  state.wait = wait;
  const times = [wait.until, wait.timeoutAt]
    .filter((t): t is Date => Boolean(t))
    .map((t) => new Date(t).getTime());
  state.wakeAt = times.length > 0 ? new Date(Math.min(...times)) : null;
  progress(state, effects, { kind: 'STEP_PROGRESSED', stepId: wait.stepId, message });
}

/** Progress note without a state change (e.g. cancellation requested). */
export function note(
  state: WorkflowRunDoc,
  effects: Effects,
  stepId: string | null,
  message: string,
) {
  progress(state, effects, { kind: 'STEP_PROGRESSED', stepId, message });
}
