import type { SuspendRequest } from '../actions/types';
import type { ActionStep, WorkflowSpec } from '../definitions/types';
import type { WorkflowRunDoc } from '../models/WorkflowRun';
import { dropExpiredSignals, takePendingSignal } from './pendingSignals';
import { completeStep, note, suspend, type Effects } from './stateMachine';

/**
 * Applies an action's suspend request to the next state. A step waiting for a signal that already
 * arrived (kept on the run, oldest first) takes it at once and completes with its payload, in the
 * same commit: if a `signalRun` commits first, this commit loses its revision and the engine
 * decides again on the state that holds the signal, so a signal racing the step is never lost.
 */
export function suspendStep(
  spec: WorkflowSpec,
  state: WorkflowRunDoc,
  effects: Effects,
  step: ActionStep,
  request: SuspendRequest,
  now = new Date(),
) {
  const { until, signal, timeoutAt } = request;
  if (!signal) {
    suspend(
      state,
      effects,
      { kind: 'timer', stepId: step.id, until, timeoutAt },
      `waiting until ${until?.toISOString() ?? '?'}`,
    );
    return;
  }
  for (const expired of dropExpiredSignals(state, now))
    note(state, effects, null, `signal "${expired.name}" expired before a step waited for it`);
  const early = takePendingSignal(state, signal, now);
  if (early) {
    note(
      state,
      effects,
      step.id,
      `signal "${signal}" received (kept since ${new Date(early.at).toISOString()})`,
    );
    completeStep(spec, state, effects, step, { output: early.payload ?? null });
    return;
  }
  suspend(
    state,
    effects,
    { kind: 'signal', stepId: step.id, until, signal, timeoutAt },
    `waiting for signal "${signal}"`,
  );
}
