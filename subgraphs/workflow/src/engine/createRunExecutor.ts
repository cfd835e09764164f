import type { Logger } from '../../../../lib/logging';
import type { ActionOutcome } from '../actions/types';
import type { ActionRegistry } from '../actions/createActionRegistry';
import type { ActionStep, DecisionStep, WorkflowSpec } from '../definitions/types';
import { WorkflowError } from '../errors';
import { createExpression, isTruthy } from '../expressions/createExpression';
import { resolveInput } from '../expressions/resolveInput';
import { TERMINAL_STATUSES, type RunCursor, type WorkflowRunDoc } from '../models/WorkflowRun';
import type { DefinitionCache } from './definitionCache';
import { createDecisionCommitter } from './createDecisionCommitter';
import { executeParallel } from './executeParallel';
import { RunConflictError, type RunStore } from './runStore';
import { suspendStep } from './suspendStep';
import {
  cloneRun,
  cancelMessage,
  compensationAttemptFailed,
  compensationDone,
  startCancelCompensation,
  completeStep,
  createEffects,
  failStep,
  findStep,
  finishRun,
  markStarted,
  stepRecord,
  suspend,
  type Effects,
} from './stateMachine';

/** Options of {@link createRunExecutor}. */
export interface RunExecutorOptions {
  store: RunStore;
  definitions: DefinitionCache;
  actions: ActionRegistry;
  logger: Logger;
  /** Throws when the engine was stopped, so a stopped engine writes nothing more (crash simulation). */
  assertAlive: () => void;
}

/** Advances runs one decision at a time; every decision is one compare-and-set commit. */
export interface RunExecutor {
  /** Handles a command for a run (`token` = the command's, absent for wake-ups/signals). */
  advance(runId: string, token?: string): Promise<void>;
}

const MAX_CONFLICTS = 10;

/** Creates the executor used by the engine's command handler. */
export function createRunExecutor(options: RunExecutorOptions): RunExecutor {
  const { store, definitions, actions, logger, assertAlive } = options;

  const commit = (before: WorkflowRunDoc, after: WorkflowRunDoc, effects: Effects) => {
    assertAlive();
    return store.commit(before, after, effects.progress, effects.events);
  };
  const commitDecision = createDecisionCommitter({ store, commit });

  /** Applies the side results of an action (events, linked components) to the next state. */
  const applyOutcome = (state: WorkflowRunDoc, effects: Effects, outcome: ActionOutcome) => {
    effects.events.push(
      ...outcome.events.map((e) => ({
        type: e.type,
        data: { ...(e.data as object), runId: state._id },
      })),
    );
    state.componentIds = [...new Set([...state.componentIds, ...outcome.componentIds])];
  };

  async function runAction(
    spec: WorkflowSpec,
    run: WorkflowRunDoc,
    step: ActionStep,
    next: RunCursor,
  ) {
    const record = run.steps.find((r) => r.stepId === step.id);
    if (
      record?.status === 'STARTED' &&
      record.attempts >= next.attempt &&
      step.idempotent === false
    ) {
      // This attempt started before a crash and may have had effects: never run it twice.
      const state = cloneRun(run);
      const effects = createEffects();
      failStep(spec, state, effects, step, {
        message: 'interrupted while executing a non-idempotent step; not re-run (needs attention)',
        retriable: false,
        attempt: next.attempt,
        needsAttention: true,
      });
      await commit(run, state, effects);
      return;
    }
    // Only a non-idempotent step pays for a separate "started" commit before it executes; an
    // idempotent one records its start with its result (a crash in between just re-runs it).
    let started = run;
    if (step.idempotent === false) {
      const startState = cloneRun(run);
      const startEffects = createEffects();
      markStarted(startState, startEffects, step.id, next.attempt);
      started = await commit(run, startState, startEffects);
    }

    let result: { outcome: ActionOutcome } | { failure: WorkflowError };
    try {
      const input = await resolveInput(step.input ?? {}, {
        input: run.input,
        outputs: run.outputs,
      });
      const outcome = await actions.execute(step.action, input, {
        runId: run._id,
        stepId: step.id,
        attempt: next.attempt,
        componentIds: run.componentIds,
        logger,
        timeoutMs: step.timeoutMs,
      });
      result = { outcome };
    } catch (error) {
      const failure =
        error instanceof WorkflowError
          ? error
          : new WorkflowError('ACTION_FAILED', String(error), true);
      logger.info({ runId: run._id, stepId: step.id, err: failure.message }, 'step attempt failed');
      result = { failure };
    }
    // Decided on `base`, which is newer than `started` when signals were kept meanwhile.
    await commitDecision(started, (base) => {
      const state = cloneRun(base);
      const effects = createEffects();
      if (step.idempotent !== false) markStarted(state, effects, step.id, next.attempt);
      if ('outcome' in result) {
        applyOutcome(state, effects, result.outcome);
        if (result.outcome.suspend) suspendStep(spec, state, effects, step, result.outcome.suspend);
        else completeStep(spec, state, effects, step, { output: result.outcome.output });
      } else {
        failStep(spec, state, effects, step, {
          message: result.failure.message,
          retriable: result.failure.retriable,
          retry: step.retry,
          attempt: next.attempt,
        });
      }
      return { state, effects };
    });
  }

  async function runDecision(spec: WorkflowSpec, run: WorkflowRunDoc, step: DecisionStep) {
    const state = cloneRun(run);
    const effects = createEffects();
    markStarted(state, effects, step.id, 1, 'evaluating');
    try {
      let target = step.default;
      for (const branch of step.branches) {
        const value = await createExpression(branch.when).evaluate({
          input: run.input,
          outputs: run.outputs,
        });
        if (isTruthy(value)) {
          target = branch.next;
          break;
        }
      }
      if (!target) throw new WorkflowError('EXPRESSION_FAILED', 'no branch matched and no default');
      completeStep(spec, state, effects, step, { output: { next: target }, target });
    } catch (error) {
      failStep(spec, state, effects, step, {
        message: (error as Error).message,
        retriable: false,
        attempt: 1,
      });
    }
    await commit(run, state, effects);
  }

  async function compensate(spec: WorkflowSpec, run: WorkflowRunDoc, next: RunCursor) {
    const step = findStep(spec, next.stepId);
    const owner =
      step?.type === 'parallel'
        ? step.branches.find((b) => b.id === next.stepId)
        : step?.type === 'action'
          ? step
          : undefined;
    const call = owner?.compensation;
    const state = cloneRun(run);
    const effects = createEffects();
    try {
      if (call) {
        const input = await resolveInput(call.input ?? {}, {
          input: run.input,
          outputs: run.outputs,
          output: run.outputs[next.stepId],
        });
        const outcome = await actions.execute(call.action, input, {
          runId: run._id,
          stepId: next.stepId,
          attempt: next.attempt,
          componentIds: run.componentIds,
          logger,
        });
        applyOutcome(state, effects, outcome);
      }
      compensationDone(state, effects, next.stepId);
    } catch (caught) {
      const error = (caught as Error).message;
      const retry = call?.retry ?? owner?.retry;
      compensationAttemptFailed(state, effects, next.stepId, error, retry, next.attempt);
    }
    await commit(run, state, effects);
  }

  /** A waiting run: resume when its decision, signal or timer is there. */
  async function resolveWait(spec: WorkflowSpec, run: WorkflowRunDoc) {
    const wait = run.wait!;
    const step = findStep(spec, wait.stepId);
    if (!step) return;
    const now = Date.now();
    const state = cloneRun(run);
    const effects = createEffects();
    const fail = (message: string) =>
      failStep(spec, state, effects, step, {
        message,
        retriable: false,
        attempt: stepRecord(state, step.id).attempts,
      });
    const past = (date: Date | null | undefined) =>
      Boolean(date && new Date(date).getTime() <= now);
    if (wait.kind === 'approval' && wait.decision) {
      const { approved, by, comment } = wait.decision;
      if (approved)
        completeStep(spec, state, effects, step, {
          output: { approved, by: by ?? null, comment: comment ?? null },
        });
      else fail(`rejected${by ? ` by ${by}` : ''}${comment ? `: ${comment}` : ''}`);
    } else if (wait.kind === 'signal' && wait.received) {
      completeStep(spec, state, effects, step, { output: wait.received.payload ?? null });
    } else if (wait.kind === 'timer' && past(wait.until)) {
      completeStep(spec, state, effects, step, {
        output: { waitedUntil: new Date(wait.until!).toISOString() },
      });
    } else if (past(wait.timeoutAt)) {
      fail(
        wait.kind === 'approval'
          ? 'approval timed out'
          : `no signal "${wait.signal ?? ''}" before the timeout`,
      );
    } else {
      return;
    }
    await commit(run, state, effects);
  }

  async function decide(run: WorkflowRunDoc, token?: string) {
    const spec = await definitions.get(run.definitionId, run.definitionVersion);
    if (!spec)
      throw new Error(`definition ${run.definitionId}@${run.definitionVersion} is missing`);
    if (run.cancelRequested && !run.cancelRequested.compensating) {
      const state = cloneRun(run);
      const effects = createEffects();
      const compensating =
        run.cancelRequested.compensate === true && startCancelCompensation(spec, state, effects);
      if (!compensating) finishRun(state, effects, 'CANCELLED', cancelMessage(run.cancelRequested));
      await commit(run, state, effects);
      return;
    }
    if (run.wait) return resolveWait(spec, run);
    const next = run.next;
    if (!next || (token && token !== next.token)) return; // duplicate or stale command
    if (next.notBefore && new Date(next.notBefore).getTime() > Date.now()) return; // the timer fires later
    if (next.kind === 'compensate') return compensate(spec, run, next);
    const step = spec.steps.find((candidate) => candidate.id === next.stepId);
    if (!step)
      throw new Error(`step ${next.stepId} is not in ${run.definitionId}@${run.definitionVersion}`);
    switch (step.type) {
      case 'action':
        return runAction(spec, run, step, next);
      case 'decision':
        return runDecision(spec, run, step);
      case 'parallel':
        return executeParallel({
          spec,
          run,
          step,
          next,
          actions,
          logger,
          commit,
          commitDecision,
          applyOutcome,
        });
      case 'approval': {
        const state = cloneRun(run);
        const effects = createEffects();
        markStarted(state, effects, step.id, next.attempt);
        suspend(
          state,
          effects,
          {
            kind: 'approval',
            stepId: step.id,
            assignee: step.assignee,
            message: step.message ?? null,
            timeoutAt: new Date(Date.now() + step.timeoutMs),
          },
          `waiting for approval by ${step.assignee}`,
        );
        await commit(run, state, effects);
        return;
      }
    }
  }

  return {
    async advance(runId, token) {
      for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
        const run = await store.load(runId);
        if (!run || TERMINAL_STATUSES.includes(run.status)) return;
        try {
          await decide(run, token);
          return;
        } catch (error) {
          if (!(error instanceof RunConflictError)) throw error;
          // Someone else (a mutation, a timer claim) committed first: decide again on fresh state.
        }
      }
      throw new RunConflictError(`run ${runId}: too many concurrent changes`);
    },
  };
}
