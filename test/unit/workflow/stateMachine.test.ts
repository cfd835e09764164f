import type { WorkflowSpec } from '../../../subgraphs/workflow/src/definitions/types';
import {
  compensationPlan,
  completeStep,
  createEffects,
  failStep,
  markStarted,
} from '../../../subgraphs/workflow/src/engine/stateMachine';
import type { WorkflowRunDoc } from '../../../subgraphs/workflow/src/models/WorkflowRun';

const spec: WorkflowSpec = {
  id: 'saga',
  version: '1.0.0',
  name: 'Saga',
  steps: [
    { id: 'a', type: 'action', action: 'x', compensation: { action: 'undo' } },
    { id: 'b', type: 'action', action: 'x' },
    {
      id: 'p',
      type: 'parallel',
      branches: [
        { id: 'p1', action: 'x', compensation: { action: 'undo' } },
        { id: 'p2', action: 'x' },
      ],
    },
    {
      id: 'c',
      type: 'action',
      action: 'x',
      retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 1000 } },
    },
    { id: 'd', type: 'action', action: 'x', onError: 'a' },
  ],
};

function newRun(): WorkflowRunDoc {
  const now = new Date();
  return {
    _id: 'run-1',
    definitionId: 'saga',
    definitionVersion: '1.0.0',
    status: 'RUNNING',
    input: {},
    outputs: {},
    componentIds: [],
    steps: [],
    completed: [],
    compensating: [],
    transitions: [],
    idempotencyKey: 'run-1',
    revision: 0,
    progressSequence: 0,
    eventSequence: 0,
    pendingEvents: [],
    startedAt: now,
    updatedAt: now,
  };
}

const step = (id: string) => spec.steps.find((s) => s.id === id)!;

describe('workflow state machine', () => {
  it('should move to the following step on success and record a transition', () => {
    const run = newRun();
    const effects = createEffects();
    markStarted(run, effects, 'a', 1);
    completeStep(spec, run, effects, step('a'), { output: { ok: true } });
    expect(run.transitions).toEqual([
      expect.objectContaining({ from: 'a', to: 'b', status: 'success' }),
    ]);
    expect(run.next).toMatchObject({ kind: 'step', stepId: 'b', attempt: 1 });
    expect(effects.progress.map((p) => p.kind)).toEqual(['STEP_PROGRESSED', 'TRANSITIONED']);
    expect(effects.events.map((e) => e.type)).toEqual(['workflow.command.execute']);
    expect(run.outputs).toEqual({ a: { ok: true } });
  });

  it('should finish the run after the last step', () => {
    const run = newRun();
    const effects = createEffects();
    completeStep(spec, run, effects, step('d'), { output: null });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.next).toBeNull();
    expect(effects.progress.at(-1)).toMatchObject({ kind: 'COMPLETED', status: 'SUCCEEDED' });
  });

  it('should schedule a retry with backoff through a timer instead of a command', () => {
    const run = newRun();
    const effects = createEffects();
    failStep(spec, run, effects, step('c'), {
      message: 'boom',
      retriable: true,
      retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 1000 } },
      attempt: 1,
    });
    expect(run.next).toMatchObject({ stepId: 'c', attempt: 2 });
    expect(run.wakeAt).toBeInstanceOf(Date);
    expect(effects.events).toEqual([]);
  });

  it('should follow onError instead of failing the run', () => {
    const run = newRun();
    const effects = createEffects();
    failStep(spec, run, effects, step('d'), { message: 'boom', retriable: false, attempt: 1 });
    expect(run.status).toBe('RUNNING');
    expect(run.transitions.at(-1)).toMatchObject({ from: 'd', to: 'a', status: 'failed' });
    expect(run.next).toMatchObject({ stepId: 'a' });
  });

  it('should plan compensations of completed steps and branches in reverse order', () => {
    expect(compensationPlan(spec, ['a', 'b', 'p1', 'p2'])).toEqual(['p1', 'a']);
    const run = newRun();
    run.completed = ['a', 'b', 'p1', 'p2'];
    const effects = createEffects();
    failStep(spec, run, effects, step('c'), { message: 'boom', retriable: false, attempt: 2 });
    expect(run.next).toMatchObject({ kind: 'compensate', stepId: 'p1' });
    expect(run.compensating).toEqual(['a']);
    expect(run.failedStepId).toBe('c');
  });

  it('should fail the run at once when nothing needs compensation', () => {
    const run = newRun();
    run.completed = ['b'];
    const effects = createEffects();
    failStep(spec, run, effects, step('c'), {
      message: 'boom',
      retriable: false,
      attempt: 1,
      needsAttention: true,
    });
    expect(run.status).toBe('FAILED');
    expect(run.steps.find((s) => s.stepId === 'c')?.status).toBe('NEEDS_ATTENTION');
    expect(effects.progress.at(-1)).toMatchObject({ kind: 'COMPLETED', status: 'FAILED' });
  });
});
