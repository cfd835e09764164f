import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const echo = (id: string, extra: object = {}) => ({
  id,
  type: 'action',
  action: 'test.echo',
  input: { value: id },
  ...extra,
});
const undo = (id: string) => ({ action: 'test.echo', input: { value: `undo-${id}` } });

const EVENTS = /* GraphQL */ `
  query E($runId: ID!) {
    runProgressEvents(runId: $runId) {
      sequence
      kind
      stepId
      message
    }
  }
`;

describe('workflow run behaviour', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await startWorkflowHarness();
    await harness.define({
      id: 'saga',
      version: '1.0.0',
      name: 'Saga',
      steps: [
        echo('reserve', { compensation: undo('reserve') }),
        echo('charge', { compensation: undo('charge') }),
        echo('notify'),
        { id: 'ship', type: 'action', action: 'test.fail', input: { message: 'warehouse down' } },
      ],
    });
    await harness.define({
      id: 'approval',
      version: '1.0.0',
      name: 'Approval',
      steps: [
        echo('prepare', { compensation: undo('prepare') }),
        { id: 'review', type: 'approval', assignee: 'alice', timeoutMs: 600000 },
        echo('publish'),
      ],
    });
    await harness.define({
      id: 'flaky-undo',
      version: '1.0.0',
      name: 'Saga with a flaky compensation',
      steps: [
        echo('reserve', {
          compensation: {
            action: 'test.fail',
            input: { failTimes: 2 },
            retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 50 } },
          },
        }),
        { id: 'ship', type: 'action', action: 'test.fail' },
      ],
    });
    await harness.define({
      id: 'flaky',
      version: '1.0.0',
      name: 'Flaky',
      steps: [
        {
          id: 'call',
          type: 'action',
          action: 'test.fail',
          input: { failTimes: 2 },
          retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 50 } },
        },
        { id: 'once', type: 'action', action: 'test.fail', input: { failTimes: 1 } },
      ],
    });
    await harness.define({
      id: 'branching',
      version: '1.0.0',
      name: 'Branching',
      steps: [
        echo('score', { input: { value: '=input.score' } }),
        {
          id: 'route',
          type: 'decision',
          branches: [{ when: 'outputs.score.value >= 80', next: 'fanout' }],
          default: 'reject',
        },
        {
          id: 'fanout',
          type: 'parallel',
          allowPartial: true,
          next: '$end',
          branches: [
            { id: 'left', action: 'test.echo', input: { value: 'L' } },
            { id: 'right', action: 'test.fail' },
          ],
        },
        echo('reject'),
      ],
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('should compensate completed steps in reverse order when a step fails', async () => {
    const runId = await harness.start('saga');
    const run = await harness.waitForStatus(runId, ['COMPENSATED', 'FAILED', 'SUCCEEDED']);
    expect(run.status).toBe('COMPENSATED');
    expect(run.error).toContain('warehouse down');
    const events = await harness.query<{
      runProgressEvents: { kind: string; stepId: string; message: string }[];
    }>(EVENTS, { runId });
    const compensated = events
      .data!.runProgressEvents.filter((e) => e.message === 'compensated')
      .map((e) => e.stepId);
    expect(compensated).toEqual(['charge', 'reserve']);
    const status = Object.fromEntries(run.steps.map((s) => [s.stepId, s.status]));
    expect(status).toMatchObject({
      reserve: 'COMPENSATED',
      charge: 'COMPENSATED',
      notify: 'SUCCEEDED',
      ship: 'FAILED',
    });
  });

  it('should retry a failing compensation with its own policy', async () => {
    const runId = await harness.start('flaky-undo');
    const run = await harness.waitForStatus(runId, ['COMPENSATED', 'FAILED', 'SUCCEEDED']);
    expect(run.status).toBe('COMPENSATED');
    const events = await harness.query<{
      runProgressEvents: { stepId: string; message: string }[];
    }>(EVENTS, { runId });
    const messages = events
      .data!.runProgressEvents.filter((e) => e.stepId === 'reserve')
      .map((e) => e.message);
    expect(messages.filter((m) => m?.startsWith('compensation attempt'))).toHaveLength(2);
    expect(messages).toContain('compensated');
  });

  it('should compensate completed steps when cancelled with compensate', async () => {
    const runId = await harness.start('approval');
    await harness.waitForStatus(runId, ['WAITING']);
    const cancelled = await harness.query(
      `mutation { cancelRun(runId: "${runId}", reason: "customer left", compensate: true) { id } }`,
    );
    expect(cancelled.errors).toBeUndefined();
    const run = await harness.waitForStatus(runId, ['CANCELLED', 'FAILED', 'SUCCEEDED']);
    expect(run.status).toBe('CANCELLED');
    expect(run.steps.find((s) => s.stepId === 'prepare')?.status).toBe('COMPENSATED');
    const events = await harness.query<{ runProgressEvents: { kind: string; message: string }[] }>(
      EVENTS,
      { runId },
    );
    expect(events.data!.runProgressEvents.at(-1)).toMatchObject({
      kind: 'COMPLETED',
      message: 'cancelled: customer left; compensated',
    });
    expect(run.pendingTask).toBeNull();
  });

  it('should wait for approval and continue when approved', async () => {
    const runId = await harness.start('approval');
    const waiting = await harness.waitForStatus(runId, ['WAITING']);
    expect(waiting.pendingTask).toEqual({ stepId: 'review', assignee: 'alice' });
    const tasks = await harness.query<{ pendingTasks: { runId: string }[] }>(
      `{ pendingTasks(assignee: "alice") { runId } }`,
    );
    expect(tasks.data?.pendingTasks.map((t) => t.runId)).toContain(runId);

    const approved = await harness.query(
      `mutation { approveTask(runId: "${runId}", stepId: "review", by: "alice") { id } }`,
    );
    expect(approved.errors).toBeUndefined();
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.outputs?.review).toEqual({ approved: true, by: 'alice', comment: null });

    const twice = await harness.query(
      `mutation { approveTask(runId: "${runId}", stepId: "review") { id } }`,
    );
    expect(twice.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('should fail and compensate when the approval is rejected', async () => {
    const runId = await harness.start('approval');
    await harness.waitForStatus(runId, ['WAITING']);
    const rejected = await harness.query(
      `mutation { rejectTask(runId: "${runId}", stepId: "review", by: "bob", comment: "not yet") { id } }`,
    );
    expect(rejected.errors).toBeUndefined();
    const run = await harness.waitForStatus(runId, ['COMPENSATED', 'FAILED', 'SUCCEEDED']);
    expect(run.status).toBe('COMPENSATED');
    expect(run.error).toBe('review: rejected by bob: not yet');
    expect(run.steps.find((s) => s.stepId === 'prepare')?.status).toBe('COMPENSATED');
  });

  it('should retry with backoff, then retry a FAILED run from its failed step', async () => {
    const runId = await harness.start('flaky');
    const failed = await harness.waitForStatus(runId, ['FAILED', 'SUCCEEDED', 'COMPENSATED']);
    expect(failed.status).toBe('FAILED');
    expect(failed.steps.find((s) => s.stepId === 'call')).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 3,
    });
    expect(failed.steps.find((s) => s.stepId === 'once')?.status).toBe('FAILED');

    const retried = await harness.query(`mutation { retryRun(runId: "${runId}") { id status } }`);
    expect(retried.errors).toBeUndefined();
    const run = await harness.waitForStatus(runId, ['SUCCEEDED']);
    expect(run.steps.find((s) => s.stepId === 'once')).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 2,
    });
  });

  it('should follow a decision on earlier outputs and join a partial parallel step', async () => {
    const high = await harness.start('branching', { score: 91 });
    const low = await harness.start('branching', { score: 10 });
    const highRun = await harness.waitForStatus(high, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    const lowRun = await harness.waitForStatus(low, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(highRun.transitions.map((t) => [t.from, t.to, t.status])).toEqual([
      ['score', 'route', 'SUCCESS'],
      ['route', 'fanout', 'SUCCESS'],
      ['fanout', null, 'PARTIAL'],
    ]);
    expect(highRun.outputs?.left).toEqual({ value: 'L' });
    expect(lowRun.transitions.map((t) => t.to)).toEqual(['route', 'reject', null]);
  });

  it('should cancel a waiting run without compensating by default', async () => {
    const runId = await harness.start('approval');
    await harness.waitForStatus(runId, ['WAITING']);
    const cancelled = await harness.query(
      `mutation { cancelRun(runId: "${runId}", reason: "obsolete") { id } }`,
    );
    expect(cancelled.errors).toBeUndefined();
    const run = await harness.waitForStatus(runId, ['CANCELLED']);
    expect(run.status).toBe('CANCELLED');
    expect(run.steps.find((s) => s.stepId === 'prepare')?.status).toBe('SUCCEEDED');
    const again = await harness.query(`mutation { cancelRun(runId: "${runId}") { id } }`);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('should report success and failure rates and the bottleneck step', async () => {
    const result = await harness.query<{
      workflowAnalytics: {
        finishedRuns: number;
        succeeded: number;
        failureRate: number;
        bottleneckStepId: string | null;
        steps: { stepId: string; p95DurationMs: number }[];
      };
    }>(
      `{ workflowAnalytics(definitionId: "approval") { finishedRuns succeeded failureRate bottleneckStepId steps { stepId p95DurationMs } } }`,
    );
    const figures = result.data!.workflowAnalytics;
    expect(figures.finishedRuns).toBeGreaterThanOrEqual(2);
    expect(figures.succeeded).toBeGreaterThanOrEqual(1);
    expect(figures.failureRate).toBeGreaterThan(0);
    // The human approval is by far the slowest step.
    expect(figures.bottleneckStepId).toBe('review');
  });
});
