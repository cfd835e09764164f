import {
  createDecisionCommitter,
  onlySignalsChanged,
} from '../../../subgraphs/workflow/src/engine/createDecisionCommitter';
import { RunConflictError, type RunStore } from '../../../subgraphs/workflow/src/engine/runStore';
import { cloneRun, createEffects } from '../../../subgraphs/workflow/src/engine/stateMachine';
import type { WorkflowRunDoc } from '../../../subgraphs/workflow/src/models/WorkflowRun';

function newRun(): WorkflowRunDoc {
  const now = new Date('2026-01-01T00:00:00Z');
  return {
    _id: 'run-1',
    definitionId: 'd',
    definitionVersion: '1.0.0',
    status: 'RUNNING',
    input: {},
    outputs: {},
    componentIds: [],
    steps: [{ stepId: 'a', status: 'STARTED', attempts: 1, startedAt: now, output: undefined }],
    completed: [],
    compensating: [],
    transitions: [],
    next: { kind: 'step', stepId: 'a', attempt: 1, token: 't', notBefore: null },
    idempotencyKey: 'run-1',
    revision: 1,
    progressSequence: 0,
    eventSequence: 0,
    pendingEvents: [],
    startedAt: now,
    updatedAt: now,
  };
}
const keptGo = { name: 'go', payload: 1, at: new Date(), expiresAt: new Date(Date.now() + 60_000) };

describe('createDecisionCommitter', () => {
  it('should see a state that only kept a signal as unchanged, also when read back with nulls', () => {
    const base = newRun();
    const latest = { ...cloneRun(base), revision: 2, pendingSignals: [keptGo], wakeAt: null };
    latest.steps[0] = { ...latest.steps[0]!, output: null };
    expect(onlySignalsChanged(base, latest)).toBe(true);
    expect(onlySignalsChanged(base, { ...latest, cancelRequested: { at: new Date() } })).toBe(
      false,
    );
  });

  it('should decide again on the newer state when the commit lost its revision to a kept signal', async () => {
    const base = newRun();
    const latest = { ...cloneRun(base), revision: 2, pendingSignals: [keptGo] };
    const commits: WorkflowRunDoc[] = [];
    const store = { load: async () => cloneRun(latest) } as unknown as RunStore;
    const commit = async (before: WorkflowRunDoc, after: WorkflowRunDoc) => {
      if (before.revision !== latest.revision) throw new RunConflictError('changed');
      commits.push(after);
      return after;
    };
    const decided: number[] = [];
    await createDecisionCommitter({ store, commit })(base, (on) => {
      decided.push(on.revision);
      return { state: { ...cloneRun(on), status: 'SUCCEEDED' }, effects: createEffects() };
    });
    expect(decided).toEqual([1, 2]);
    expect(commits).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED', pendingSignals: [keptGo] }),
    ]);
  });

  it('should give any other concurrent change back to the caller as a conflict', async () => {
    const base = newRun();
    const latest = { ...cloneRun(base), revision: 2, cancelRequested: { at: new Date() } };
    const store = { load: async () => cloneRun(latest) } as unknown as RunStore;
    const commit = async (): Promise<WorkflowRunDoc> => {
      throw new RunConflictError('changed');
    };
    const committing = createDecisionCommitter({ store, commit })(base, (on) => ({
      state: cloneRun(on),
      effects: createEffects(),
    }));
    await expect(committing).rejects.toBeInstanceOf(RunConflictError);
  });
});
