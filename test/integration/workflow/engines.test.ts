import type { ActionHandler } from '../../../subgraphs/workflow/src';
import { eventually } from '../../utils/graphqlClient';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

/** Executions of `test.slow` per run: which engine instance ran it, and how often. */
const executions = new Map<string, string[]>();

/** A slow action that records the engine instance executing it (from the engine's logger). */
const slowAction: ActionHandler = {
  name: 'test.slow',
  description: 'TEST ONLY: sleeps `ms` and records the executing engine instance.',
  inputSchema: { type: 'object', properties: { ms: { type: 'integer' } } },
  outputSchema: { type: 'object' },
  async run(input, ctx) {
    const instanceId = String((ctx.logger.bindings() as { instanceId?: string }).instanceId);
    executions.set(ctx.runId, [...(executions.get(ctx.runId) ?? []), instanceId]);
    await new Promise((resolve) => setTimeout(resolve, Number(input.ms ?? 0)));
    return { instanceId };
  },
};

const slow = (id: string, ms: number, idempotent: boolean) => ({
  id,
  type: 'action',
  action: 'test.slow',
  input: { ms },
  idempotent,
});

describe('workflow engines sharing runs', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    // No role engine: the tests start and stop engine instances of one group themselves.
    harness = await startWorkflowHarness({ WORKFLOW_ENGINE_ENABLED: 'false' }, [slowAction]);
    await harness.define({
      id: 'shared',
      version: '1.0.0',
      name: 'Shared',
      steps: [slow('a', 0, true), slow('b', 0, true), slow('c', 0, true)],
    });
    await harness.define({
      id: 'long',
      version: '1.0.0',
      name: 'Long',
      steps: [slow('first', 0, true), slow('work', 2500, true), slow('last', 0, true)],
    });
    await harness.define({
      id: 'unsafe',
      version: '1.0.0',
      name: 'Unsafe',
      steps: [slow('charge', 2500, false), slow('after', 0, true)],
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('should complete many runs with two engines sharing them', async () => {
    await harness.addEngine();
    await harness.addEngine();
    const ids = await Promise.all(Array.from({ length: 12 }, () => harness.start('shared')));
    const runs = await Promise.all(
      ids.map((id) => harness.waitForStatus(id, ['SUCCEEDED'], 60_000)),
    );
    expect(runs.every((run) => run.transitions.length === 3)).toBe(true);
    const instances = new Set(ids.flatMap((id) => executions.get(id) ?? []));
    // Runs are spread over partitions, and partitions over the two members.
    expect(instances.size).toBe(2);
  });

  it('should resume a run on another engine when the one executing it is killed', async () => {
    const runId = await harness.start('long');
    const owner = await eventually(async () => {
      const list = executions.get(runId) ?? [];
      return list.length >= 2 ? list[1] : undefined; // executing `work` now
    });
    await harness.killEngine(owner!);
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED'], 60_000);
    expect(run.status).toBe('SUCCEEDED');
    const runners = executions.get(runId)!;
    // `work` is idempotent: it ran on the killed engine and again on the survivor.
    expect(runners.filter((id) => id === owner).length).toBeGreaterThanOrEqual(2);
    expect(new Set(runners).size).toBe(2);
  });

  it('should never run an interrupted non-idempotent step twice', async () => {
    await harness.addEngine();
    const runId = await harness.start('unsafe');
    const owner = await eventually(async () => executions.get(runId)?.[0]);
    await harness.killEngine(owner!);
    const run = await harness.waitForStatus(runId, ['FAILED', 'SUCCEEDED'], 60_000);
    expect(run.status).toBe('FAILED');
    expect(run.steps.find((s) => s.stepId === 'charge')?.status).toBe('NEEDS_ATTENTION');
    expect(executions.get(runId)).toEqual([owner]);
  });
});
