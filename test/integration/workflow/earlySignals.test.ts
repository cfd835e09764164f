import type { ActionHandler } from '../../../subgraphs/workflow/src';
import { eventually, type GraphQLResponse } from '../../utils/graphqlClient';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const SIGNAL = /* GraphQL */ `
  mutation Signal($runId: ID!, $name: String!, $payload: JSON) {
    signalRun(runId: $runId, name: $name, payload: $payload) {
      id
    }
  }
`;

const EVENTS = /* GraphQL */ `
  query E($runId: ID!) {
    runProgressEvents(runId: $runId, first: 500) {
      kind
      stepId
      message
    }
  }
`;

const wait = (id: string, signal: string) => ({
  id,
  type: 'action',
  action: 'event.wait',
  // Long enough never to fire in a test: a lost signal shows as a run that never finishes.
  input: { signal, timeoutMs: 600_000 },
});
const ENDED = ['SUCCEEDED', 'FAILED', 'COMPENSATED', 'CANCELLED'];

/** Waits until the run's progress feed holds a message matching `pattern`; returns all messages. */
function waitForMessage(harness: WorkflowHarness, runId: string, pattern: RegExp) {
  return eventually(async () => {
    const events = await harness.query<{ runProgressEvents: { message: string | null }[] }>(
      EVENTS,
      { runId },
    );
    const messages = (events.data?.runProgressEvents ?? []).map((event) => event.message ?? '');
    return messages.some((message) => pattern.test(message)) ? messages : undefined;
  });
}

const signalFirst = {
  id: 'signal-first',
  version: '1.0.0',
  name: 'Waits for a signal at once',
  steps: [wait('await', 'go'), { id: 'done', type: 'action', action: 'test.echo' }],
};
const signalAfterStep = {
  id: 'signal-after-step',
  version: '1.0.0',
  name: 'Waits for a signal after a step',
  steps: [
    { id: 'prepare', type: 'action', action: 'test.echo', input: { sleepMs: '=input.sleepMs' } },
    wait('await', 'go'),
  ],
};
const twoItems = {
  id: 'two-items',
  version: '1.0.0',
  name: 'Waits twice for the same signal',
  steps: [
    { id: 'prepare', type: 'action', action: 'test.echo' },
    wait('first', 'item'),
    wait('second', 'item'),
  ],
};
const gated = {
  id: 'gated',
  version: '1.0.0',
  name: 'Waits for an approval, then for a signal',
  steps: [
    { id: 'review', type: 'approval', assignee: 'bob', timeoutMs: 600_000 },
    wait('await', 'go'),
  ],
};

/** Signals its own run while it executes (before the engine commits), then waits for it. */
function signalInFlight(
  harness: () => WorkflowHarness,
  executions: Map<string, number>,
): ActionHandler {
  const signalled = new Set<string>();
  return {
    name: 'test.signalInFlight',
    description: 'TEST ONLY: signals "go" to its run, then waits for "go".',
    inputSchema: { type: 'object' },
    outputSchema: {},
    async run(_input, ctx) {
      executions.set(ctx.runId, (executions.get(ctx.runId) ?? 0) + 1);
      if (!signalled.has(ctx.runId)) {
        signalled.add(ctx.runId);
        const sent = await harness().query(SIGNAL, {
          runId: ctx.runId,
          name: 'go',
          payload: { from: 'in-flight' },
        });
        if (sent.errors) throw new Error(JSON.stringify(sent.errors));
      }
      ctx.suspend({ signal: 'go' });
      return null;
    },
  };
}
/** Holds each execution until the test releases its run; counts executions per run. */
function createGate() {
  const entered = new Map<string, () => void>();
  const waiters = new Map<string, Promise<void>>();
  const releases = new Map<string, () => void>();
  const executions = new Map<string, number>();
  const enteredPromise = (runId: string) => {
    if (!waiters.has(runId))
      waiters.set(runId, new Promise<void>((resolve) => entered.set(runId, resolve)));
    return waiters.get(runId)!;
  };
  const action: ActionHandler = {
    name: 'test.gate',
    description: 'TEST ONLY: returns { passed: true } once the test releases the run.',
    inputSchema: { type: 'object' },
    outputSchema: {},
    async run(_input, ctx) {
      executions.set(ctx.runId, (executions.get(ctx.runId) ?? 0) + 1);
      const released = new Promise<void>((resolve) => releases.set(ctx.runId, resolve));
      void enteredPromise(ctx.runId);
      entered.get(ctx.runId)!();
      await released;
      return { passed: true };
    },
  };
  return {
    action,
    executions,
    /** Resolves once an execution for the run holds the gate. */
    entered: enteredPromise,
    release: (runId: string) => releases.get(runId)?.(),
  };
}
const gatedAction = {
  id: 'gated-action',
  version: '1.0.0',
  name: 'A non-idempotent step, then a wait',
  steps: [
    { id: 'call', type: 'action', action: 'test.gate', idempotent: false },
    wait('await', 'go'),
  ],
};
const gatedBranch = {
  id: 'gated-branch',
  version: '1.0.0',
  name: 'A parallel step, then a wait',
  steps: [
    {
      id: 'fan',
      type: 'parallel',
      branches: [
        { id: 'held', action: 'test.gate', idempotent: false },
        { id: 'quick', action: 'test.echo' },
      ],
    },
    wait('await', 'go'),
  ],
};

const inFlight = {
  id: 'in-flight',
  version: '1.0.0',
  name: 'Signal committed while its step executes',
  // The second step declares the name "go" (the first one is a test action, not event.wait).
  steps: [{ id: 'await', type: 'action', action: 'test.signalInFlight' }, wait('later', 'go')],
};

describe('early signals (signalRun before the run waits)', () => {
  let harness: WorkflowHarness;
  const inFlightExecutions = new Map<string, number>();
  const gate = createGate();

  const signal = (runId: string, name: string, payload?: unknown) =>
    harness.query<{ signalRun: { id: string } }>(SIGNAL, { runId, name, payload });
  const messages = async (runId: string) => {
    const events = await harness.query<{ runProgressEvents: { message: string | null }[] }>(
      EVENTS,
      { runId },
    );
    return events.data!.runProgressEvents.map((event) => event.message ?? '');
  };
  const expectAccepted = (response: GraphQLResponse) => expect(response.errors).toBeUndefined();

  beforeAll(async () => {
    harness = await startWorkflowHarness({}, [
      signalInFlight(() => harness, inFlightExecutions),
      gate.action,
    ]);
    for (const definition of [
      signalFirst,
      signalAfterStep,
      twoItems,
      gated,
      inFlight,
      gatedAction,
      gatedBranch,
    ])
      await harness.define(definition);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('should not lose a signal sent right after startRun, whichever of signal and step wins', async () => {
    // Each run races its signal against the engine reaching the waiting step (through the
    // outbox, Kafka and the engine's consumer); 4 runs at a time add conflicting commits.
    const cases = Array.from({ length: 24 }, (_, n) => ({
      n,
      definitionId: n % 2 === 0 ? 'signal-first' : 'signal-after-step',
      sleepMs: [0, 5, 20, 60][n % 4]!,
    }));
    const finished: { n: number; status: string; output: unknown }[] = [];
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4).map(async ({ n, definitionId, sleepMs }) => {
        const runId = await harness.start(definitionId, { sleepMs });
        expectAccepted(await signal(runId, 'go', { n }));
        const run = await harness.waitForStatus(runId, ENDED, 60_000);
        return { n, status: run.status, output: run.outputs?.await };
      });
      finished.push(...(await Promise.all(batch)));
    }
    expect(finished).toEqual(cases.map(({ n }) => ({ n, status: 'SUCCEEDED', output: { n } })));
  }, 300_000); // 24 runs through Kafka on a loaded machine: more than the suites' default 120 s

  it('should keep a signal committed while its step executes, without executing the step again', async () => {
    const runId = await harness.start('in-flight');
    await harness.waitForStatus(runId, ['WAITING']);
    expectAccepted(await signal(runId, 'go', { from: 'test' }));
    const run = await harness.waitForStatus(runId, ENDED);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.outputs).toMatchObject({ await: { from: 'in-flight' }, later: { from: 'test' } });
    expect(inFlightExecutions.get(runId)).toBe(1);
    expect(await messages(runId)).toContainEqual(
      expect.stringMatching(/^signal "go" received \(kept since/),
    );
  });

  it.each([
    ['a non-idempotent step', 'gated-action', 'call'],
    ['a parallel branch', 'gated-branch', 'fan'],
  ])(
    'should not fail or re-execute %s that was executing when a signal was kept',
    async (_case, definitionId, stepId) => {
      const runId = await harness.start(definitionId);
      await gate.entered(runId);
      expectAccepted(await signal(runId, 'go', { n: 1 }));
      gate.release(runId);
      const run = await harness.waitForStatus(runId, ENDED);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.steps.find((s) => s.stepId === stepId)?.status).toBe('SUCCEEDED');
      expect(run.outputs?.await).toEqual({ n: 1 });
      expect(gate.executions.get(runId)).toBe(1);
    },
  );

  it('should consume early signals of one name in arrival order', async () => {
    const runIds = await Promise.all([1, 2, 3].map(() => harness.start('two-items')));
    for (const runId of runIds) {
      expectAccepted(await signal(runId, 'item', { n: 1 }));
      expectAccepted(await signal(runId, 'item', { n: 2 }));
    }
    for (const runId of runIds) {
      const run = await harness.waitForStatus(runId, ENDED);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.outputs).toMatchObject({ first: { n: 1 }, second: { n: 2 } });
    }
  });

  it('should accept concurrent signals to one run and consume each once', async () => {
    const runId = await harness.start('two-items');
    const sent = await Promise.all([
      signal(runId, 'item', { n: 1 }),
      signal(runId, 'item', { n: 2 }),
    ]);
    sent.forEach(expectAccepted);
    const run = await harness.waitForStatus(runId, ENDED);
    expect(run.status).toBe('SUCCEEDED');
    const consumed = [run.outputs?.first, run.outputs?.second] as { n: number }[];
    expect(consumed.map((payload) => payload.n).sort()).toEqual([1, 2]);
  });

  it('should refuse the 17th pending signal with TOO_MANY_PENDING_SIGNALS and keep the first 16', async () => {
    const runId = await harness.start('gated');
    await harness.waitForStatus(runId, ['WAITING']);
    for (let n = 1; n <= 16; n++) expectAccepted(await signal(runId, 'go', { n }));
    const refused = await signal(runId, 'go', { n: 17 });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'TOO_MANY_PENDING_SIGNALS',
    });

    const approved = await harness.query(
      `mutation { approveTask(runId: "${runId}", stepId: "review", by: "bob") { id } }`,
    );
    expect(approved.errors).toBeUndefined();
    const run = await harness.waitForStatus(runId, ENDED);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.outputs?.await).toEqual({ n: 1 });
    // The 15 the run never waited for end with it, visibly.
    const discarded = (await messages(runId)).find((m) => m.startsWith('discarded unconsumed'));
    expect(discarded?.match(/"go"/g)).toHaveLength(15);
  });

  it('should refuse a signal name no step of the definition waits for with UNKNOWN_SIGNAL', async () => {
    const runId = await harness.start('gated');
    const refused = await signal(runId, 'no-such-signal', {});
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UNKNOWN_SIGNAL',
      field: 'name',
    });
  });

  it('should refuse a signal for an ended or cancelled run with RUN_ENDED', async () => {
    const done = await harness.start('signal-first');
    expectAccepted(await signal(done, 'go', {}));
    expect((await harness.waitForStatus(done, ENDED)).status).toBe('SUCCEEDED');
    const late = await signal(done, 'go', {});
    expect(late.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'RUN_ENDED' });

    const cancelled = await harness.start('gated');
    await harness.waitForStatus(cancelled, ['WAITING']);
    const cancel = await harness.query(`mutation { cancelRun(runId: "${cancelled}") { id } }`);
    expect(cancel.errors).toBeUndefined();
    const refused = await signal(cancelled, 'go', {});
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'RUN_ENDED',
    });
  });

  it('should still refuse a signal for a run that does not exist with NOT_FOUND', async () => {
    const refused = await signal('no-such-run', 'go', {});
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('early signals that expire (WORKFLOW_SIGNAL_TTL_MS)', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    // 1 ms: a kept signal has always expired by the time a later request moves the run on.
    harness = await startWorkflowHarness({ WORKFLOW_SIGNAL_TTL_MS: '1' });
    await harness.define(gated);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('should not consume an expired signal, and deliver a fresh one', async () => {
    const runId = await harness.start('gated');
    await harness.waitForStatus(runId, ['WAITING']);
    const early = await harness.query(SIGNAL, { runId, name: 'go', payload: { n: 1 } });
    expect(early.errors).toBeUndefined();
    const approved = await harness.query(
      `mutation { approveTask(runId: "${runId}", stepId: "review", by: "bob") { id } }`,
    );
    expect(approved.errors).toBeUndefined();

    const messages = await waitForMessage(harness, runId, /^waiting for signal "go"$/);
    expect(messages).toContain('signal "go" expired before a step waited for it');
    expect(messages).not.toContainEqual(expect.stringMatching(/^signal "go" received/));

    const fresh = await harness.query(SIGNAL, { runId, name: 'go', payload: { n: 2 } });
    expect(fresh.errors).toBeUndefined();
    const run = await harness.waitForStatus(runId, ENDED);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.outputs?.await).toEqual({ n: 2 });
  });
});
