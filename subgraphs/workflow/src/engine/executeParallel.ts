import type { Logger } from '../../../../lib/logging';
import type { ActionRegistry } from '../actions/createActionRegistry';
import type { ActionOutcome } from '../actions/types';
import type { ParallelBranch, ParallelStep, WorkflowSpec } from '../definitions/types';
import { WorkflowError } from '../errors';
import { resolveInput } from '../expressions/resolveInput';
import type { RunCursor, WorkflowRunDoc } from '../models/WorkflowRun';
import { backoffDelay, canRetry } from './backoff';
import type { CommitDecision } from './createDecisionCommitter';
import {
  cloneRun,
  completeStep,
  createEffects,
  failStep,
  markStarted,
  stepRecord,
  type Effects,
} from './stateMachine';

/** What {@link executeParallel} needs from the executor. */
export interface ParallelContext {
  spec: WorkflowSpec;
  run: WorkflowRunDoc;
  step: ParallelStep;
  next: RunCursor;
  actions: ActionRegistry;
  logger: Logger;
  commit: (
    before: WorkflowRunDoc,
    after: WorkflowRunDoc,
    effects: Effects,
  ) => Promise<WorkflowRunDoc>;
  /** Commits the joined result, decided again if signals were kept while branches ran. */
  commitDecision: CommitDecision;
  applyOutcome: (state: WorkflowRunDoc, effects: Effects, outcome: ActionOutcome) => void;
}

type BranchResult = {
  branch: ParallelBranch;
  outcome?: ActionOutcome;
  error?: string;
  interrupted?: boolean;
};

/** One branch with its own retries; branches run in one handler, so backoff sleeps here. */
async function runBranch(ctx: ParallelContext, branch: ParallelBranch): Promise<BranchResult> {
  const { run } = ctx;
  for (let attempt = 1; ; attempt++) {
    try {
      const input = await resolveInput(branch.input ?? {}, {
        input: run.input,
        outputs: run.outputs,
      });
      const outcome = await ctx.actions.execute(branch.action, input, {
        runId: run._id,
        stepId: branch.id,
        attempt,
        componentIds: run.componentIds,
        logger: ctx.logger,
        timeoutMs: branch.timeoutMs,
      });
      if (outcome.suspend)
        return { branch, error: 'suspending actions cannot run in a parallel branch' };
      return { branch, outcome };
    } catch (error) {
      const retriable = error instanceof WorkflowError ? error.retriable : true;
      if (!retriable || !canRetry(branch.retry, attempt))
        return { branch, error: (error as Error).message };
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(branch.retry, attempt + 1)));
    }
  }
}

/** Fans out to every branch concurrently, joins, and commits the combined result. */
export async function executeParallel(ctx: ParallelContext): Promise<void> {
  const { spec, run, step, next } = ctx;
  const parent = run.steps.find((r) => r.stepId === step.id);
  const resumed = parent?.status === 'STARTED' && parent.attempts >= next.attempt;
  const interrupted = new Set(
    resumed
      ? step.branches
          .filter(
            (b) => b.idempotent === false && stepRecord(cloneRun(run), b.id).status === 'STARTED',
          )
          .map((b) => b.id)
      : [],
  );
  const startState = cloneRun(run);
  const startEffects = createEffects();
  markStarted(
    startState,
    startEffects,
    step.id,
    next.attempt,
    `fan-out to ${step.branches.length} branches`,
  );
  for (const branch of step.branches)
    if (!interrupted.has(branch.id)) markStarted(startState, startEffects, branch.id, next.attempt);
  const started = await ctx.commit(run, startState, startEffects);

  const results = await Promise.all(
    step.branches.map((branch) =>
      interrupted.has(branch.id)
        ? Promise.resolve<BranchResult>({
            branch,
            error: 'interrupted non-idempotent branch; not re-run',
            interrupted: true,
          })
        : runBranch(ctx, branch),
    ),
  );
  await ctx.commitDecision(started, (base) => {
    const state = cloneRun(base);
    const effects = createEffects();
    const succeeded: string[] = [];
    const output: Record<string, unknown> = {};
    for (const result of results) {
      const record = stepRecord(state, result.branch.id);
      record.finishedAt = new Date();
      if (result.outcome) {
        ctx.applyOutcome(state, effects, result.outcome);
        Object.assign(record, { status: 'SUCCEEDED', output: result.outcome.output, error: null });
        state.outputs = { ...state.outputs, [result.branch.id]: result.outcome.output };
        output[result.branch.id] = result.outcome.output;
        succeeded.push(result.branch.id);
      } else {
        Object.assign(record, {
          status: result.interrupted ? 'NEEDS_ATTENTION' : 'FAILED',
          error: result.error,
        });
      }
    }
    const failed = results.filter((r) => r.error);
    if (failed.length === 0) {
      completeStep(spec, state, effects, step, { output, completed: succeeded });
    } else if (step.allowPartial && succeeded.length > 0) {
      completeStep(spec, state, effects, step, { output, status: 'partial', completed: succeeded });
    } else {
      state.completed.push(...succeeded);
      failStep(spec, state, effects, step, {
        message: `branches failed: ${failed.map((r) => `${r.branch.id} (${r.error ?? ''})`).join(', ')}`,
        retriable: false,
        attempt: next.attempt,
      });
    }
    return { state, effects };
  });
}
