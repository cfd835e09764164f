import type { WorkflowSpec } from '../../../subgraphs/workflow/src/definitions/types';
import {
  dropExpiredSignals,
  isWaitedSignal,
  keepSignal,
  takePendingSignal,
  validatePendingSignalOptions,
  waitedSignals,
} from '../../../subgraphs/workflow/src/engine/pendingSignals';
import { createEffects, finishRun } from '../../../subgraphs/workflow/src/engine/stateMachine';
import { suspendStep } from '../../../subgraphs/workflow/src/engine/suspendStep';
import type { ActionStep } from '../../../subgraphs/workflow/src/definitions/types';
import type { PendingSignal } from '../../../subgraphs/workflow/src/models/PendingSignal';
import type { WorkflowRunDoc } from '../../../subgraphs/workflow/src/models/WorkflowRun';

const NOW = new Date('2026-01-01T12:00:00Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const kept = (name: string, payload: unknown, expiresInMs = 60_000): PendingSignal => ({
  name,
  payload,
  at: at(-1_000),
  expiresAt: at(expiresInMs),
});

const waitFor = (id: string, signal: string): ActionStep => ({
  id,
  type: 'action',
  action: 'event.wait',
  input: { signal },
});
const spec: WorkflowSpec = {
  id: 'signals',
  version: '1.0.0',
  name: 'Signals',
  steps: [waitFor('first', 'item'), waitFor('second', 'go')],
};

function newRun(pendingSignals: PendingSignal[] = []): WorkflowRunDoc {
  return {
    _id: 'run-1',
    definitionId: 'signals',
    definitionVersion: '1.0.0',
    status: 'RUNNING',
    input: {},
    outputs: {},
    componentIds: [],
    steps: [],
    completed: [],
    compensating: [],
    transitions: [],
    pendingSignals,
    idempotencyKey: 'run-1',
    revision: 3,
    progressSequence: 0,
    eventSequence: 0,
    pendingEvents: [],
    startedAt: NOW,
    updatedAt: NOW,
  };
}

describe('pendingSignals', () => {
  it('should list the names event.wait steps wait for, and accept any name when one is computed', () => {
    const waited = waitedSignals(spec);
    expect(isWaitedSignal(waited, 'item')).toBe(true);
    expect(isWaitedSignal(waited, 'go')).toBe(true);
    expect(isWaitedSignal(waited, 'other')).toBe(false);
    const computed = waitedSignals({ ...spec, steps: [waitFor('w', '=input.signal')] });
    expect(isWaitedSignal(computed, 'anything')).toBe(true);
  });

  it('should not count signals named by parallel branches or other actions', () => {
    const waited = waitedSignals({
      ...spec,
      steps: [
        { id: 'echo', type: 'action', action: 'test.echo', input: { signal: 'x' } },
        {
          id: 'p',
          type: 'parallel',
          branches: [{ id: 'b', action: 'event.wait', input: { signal: 'y' } }],
        },
      ],
    });
    expect(isWaitedSignal(waited, 'x')).toBe(false);
    expect(isWaitedSignal(waited, 'y')).toBe(false);
  });

  it('should refuse to keep more than maxPending signals and leave the kept ones as they are', () => {
    const run = newRun([kept('go', 1), kept('go', 2)]);
    expect(keepSignal(run, kept('go', 3), 3)).toBe(true);
    expect(keepSignal(run, kept('go', 4), 3)).toBe(false);
    expect(run.pendingSignals!.map((s) => s.payload)).toEqual([1, 2, 3]);
  });

  it('should take the oldest unexpired signal of a name, skipping expired ones and other names', () => {
    const run = newRun([
      kept('go', 'expired', -1),
      kept('item', 'i1'),
      kept('go', 'g1'),
      kept('go', 'g2'),
    ]);
    expect(takePendingSignal(run, 'go', NOW)?.payload).toBe('g1');
    expect(takePendingSignal(run, 'go', NOW)?.payload).toBe('g2');
    expect(takePendingSignal(run, 'go', NOW)).toBeUndefined();
    expect(run.pendingSignals!.map((s) => s.payload)).toEqual(['expired', 'i1']);
  });

  it('should drop expired signals and return them', () => {
    const run = newRun([kept('go', 'old', 0), kept('go', 'fresh', 1)]);
    expect(dropExpiredSignals(run, NOW).map((s) => s.payload)).toEqual(['old']);
    expect(run.pendingSignals!.map((s) => s.payload)).toEqual(['fresh']);
  });

  it('should treat a run without the field (stored before early signals) as keeping none', () => {
    const run = { ...newRun(), pendingSignals: null };
    expect(takePendingSignal(run, 'go', NOW)).toBeUndefined();
    expect(dropExpiredSignals(run, NOW)).toEqual([]);
    expect(keepSignal(run, kept('go', 1), 16)).toBe(true);
  });

  it('should throw on options that cannot work', () => {
    expect(() => validatePendingSignalOptions({ maxPending: 0, ttlMs: 1000 })).toThrow(
      'pendingSignals.maxPending: expected a positive integer, but got: 0',
    );
    expect(() => validatePendingSignalOptions({ maxPending: 16, ttlMs: 1.5 })).toThrow(
      'but got: 1.5',
    );
  });

  it('should discard the kept signals when the run ends, with a progress note', () => {
    const run = newRun([kept('go', 1), kept('item', 2)]);
    const effects = createEffects();
    finishRun(run, effects, 'SUCCEEDED', 'run succeeded');
    expect(run.pendingSignals).toEqual([]);
    expect(effects.progress.map((p) => [p.kind, p.message])).toEqual([
      ['STEP_PROGRESSED', 'discarded unconsumed signals "go", "item"'],
      ['COMPLETED', 'run succeeded'],
    ]);
  });
});

describe('suspendStep', () => {
  it('should complete a step waiting for a signal that was kept, with its payload', () => {
    const run = newRun([kept('item', { n: 1 }), kept('item', { n: 2 })]);
    const effects = createEffects();
    suspendStep(spec, run, effects, waitFor('first', 'item'), { signal: 'item' }, NOW);
    expect(run.status).toBe('RUNNING');
    expect(run.wait).toBeNull();
    expect(run.outputs).toEqual({ first: { n: 1 } });
    expect(run.next).toMatchObject({ kind: 'step', stepId: 'second' });
    expect(run.pendingSignals).toEqual([kept('item', { n: 2 })]);
  });

  it('should wait when the only kept signal of that name expired, noting the expiry', () => {
    const run = newRun([kept('item', { n: 1 }, -1)]);
    const effects = createEffects();
    suspendStep(spec, run, effects, waitFor('first', 'item'), { signal: 'item' }, NOW);
    expect(run.status).toBe('WAITING');
    expect(run.wait).toMatchObject({ kind: 'signal', signal: 'item', stepId: 'first' });
    expect(run.pendingSignals).toEqual([]);
    expect(effects.progress.map((p) => p.message)).toEqual([
      'signal "item" expired before a step waited for it',
      'waiting for signal "item"',
    ]);
  });
});
