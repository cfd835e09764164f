import type { GraphQLError } from 'graphql';
import type { WorkflowSpec } from '../../../subgraphs/workflow/src/definitions/types';
import type { DefinitionCache } from '../../../subgraphs/workflow/src/engine/definitionCache';
import {
  RunConflictError,
  type ProgressDraft,
  type RunStore,
} from '../../../subgraphs/workflow/src/engine/runStore';
import type { WorkflowDefinitionModel } from '../../../subgraphs/workflow/src/models/WorkflowDefinition';
import type { WorkflowRunDoc } from '../../../subgraphs/workflow/src/models/WorkflowRun';
import { createRunCommands } from '../../../subgraphs/workflow/src/services/createRunCommands';

const spec: WorkflowSpec = {
  id: 'signals',
  version: '1.0.0',
  name: 'Signals',
  steps: [{ id: 'await', type: 'action', action: 'event.wait', input: { signal: 'go' } }],
};

function newRun(): WorkflowRunDoc {
  const now = new Date();
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
    next: { kind: 'step', stepId: 'await', attempt: 1, token: 't1' },
    idempotencyKey: 'run-1',
    revision: 0,
    progressSequence: 0,
    eventSequence: 0,
    pendingEvents: [],
    startedAt: now,
    updatedAt: now,
  };
}

/** A store claiming revisions like RunCommit's unique `_id`; `race` commits first once. */
function createMemoryStore(run: WorkflowRunDoc) {
  let current = structuredClone(run);
  let race: ((state: WorkflowRunDoc) => WorkflowRunDoc) | undefined;
  const progress: ProgressDraft[] = [];
  const events: string[] = [];
  const store: RunStore = {
    load: async () => structuredClone(current),
    findByIdempotencyKey: async () => null,
    insert: async () => undefined,
    async commit(before, after, drafts, outgoing) {
      if (race) {
        current = { ...race(structuredClone(current)), revision: current.revision + 1 };
        race = undefined;
      }
      if (before.revision !== current.revision) throw new RunConflictError('changed');
      current = { ...structuredClone(after), revision: before.revision + 1 };
      progress.push(...drafts);
      events.push(...outgoing.map((event) => event.type));
      return structuredClone(current);
    },
  };
  return {
    store,
    progress,
    events,
    current: () => current,
    /** The next commit finds that another writer committed `change` first. */
    raceWith(change: (state: WorkflowRunDoc) => WorkflowRunDoc) {
      race = change;
    },
  };
}

function setUp(run = newRun(), maxPending = 2) {
  const memory = createMemoryStore(run);
  const cache: DefinitionCache = { get: async () => spec };
  const commands = createRunCommands({
    store: memory.store,
    definitions: {} as WorkflowDefinitionModel,
    cache,
    pendingSignals: { maxPending, ttlMs: 60_000 },
  });
  return { ...memory, commands };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: GraphQLError) => error.extensions,
  );

describe('signalRun', () => {
  it('should keep a signal for a run that does not wait for it yet', async () => {
    const { commands, current, events } = setUp();
    await commands.signalRun('run-1', 'go', { n: 1 });
    expect(current().pendingSignals).toEqual([
      expect.objectContaining({ name: 'go', payload: { n: 1 } }),
    ]);
    expect(events).toEqual([]); // nothing to execute: the step will find it
  });

  it('should deliver to the waiting step when its suspension commits between the signal load and commit', async () => {
    const { commands, current, events, raceWith } = setUp();
    raceWith((state) => ({
      ...state,
      status: 'WAITING',
      next: null,
      wait: { kind: 'signal', stepId: 'await', signal: 'go' },
    }));
    await commands.signalRun('run-1', 'go', { n: 1 });
    expect(current().wait?.received?.payload).toEqual({ n: 1 });
    expect(current().pendingSignals ?? []).toEqual([]);
    expect(events).toEqual(['workflow.command.execute']);
  });

  it('should refuse a signal beyond maxPending with TOO_MANY_PENDING_SIGNALS', async () => {
    const { commands, current } = setUp(newRun(), 2);
    await commands.signalRun('run-1', 'go', 1);
    await commands.signalRun('run-1', 'go', 2);
    expect(await refusal(commands.signalRun('run-1', 'go', 3))).toMatchObject({
      code: 'CONFLICT',
      reason: 'TOO_MANY_PENDING_SIGNALS',
    });
    expect(current().pendingSignals!.map((s) => s.payload)).toEqual([1, 2]);
  });

  it('should make room by dropping expired signals first', async () => {
    const run = newRun();
    const past = new Date(Date.now() - 1);
    run.pendingSignals = [
      { name: 'go', payload: 'old', at: past, expiresAt: past },
      { name: 'go', payload: 'older', at: past, expiresAt: past },
    ];
    const { commands, current, progress } = setUp(run, 2);
    await commands.signalRun('run-1', 'go', 'new');
    expect(current().pendingSignals!.map((s) => s.payload)).toEqual(['new']);
    expect(progress.filter((p) => p.message?.includes('expired'))).toHaveLength(2);
  });

  it('should refuse an unknown name, an ended run and a run being cancelled', async () => {
    const unknown = setUp();
    expect(await refusal(unknown.commands.signalRun('run-1', 'nope', null))).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UNKNOWN_SIGNAL',
      field: 'name',
    });
    const ended = setUp({ ...newRun(), status: 'FAILED' });
    expect(await refusal(ended.commands.signalRun('run-1', 'go', null))).toMatchObject({
      code: 'CONFLICT',
      reason: 'RUN_ENDED',
    });
    const cancelling = setUp({ ...newRun(), cancelRequested: { at: new Date() } });
    expect(await refusal(cancelling.commands.signalRun('run-1', 'go', null))).toMatchObject({
      code: 'CONFLICT',
      reason: 'RUN_ENDED',
    });
  });
});
