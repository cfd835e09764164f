import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const EVENTS = /* GraphQL */ `
  query E($runId: ID!, $after: String) {
    runProgressEvents(runId: $runId, after: $after) {
      id
      sequence
      cursor
      kind
      status
      stepId
      fromStep
      toStep
      message
    }
  }
`;

interface EventView {
  id: string;
  sequence: number;
  cursor: string;
  kind: string;
  status: string;
  stepId: string | null;
  fromStep: string | null;
  toStep: string | null;
}

describe('workflow run lifecycle', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await startWorkflowHarness();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('should run the built-in pipeline to completion with transitions in order', async () => {
    const runId = await harness.start('component-generation-pipeline', {
      blueprints: ['landing'],
      components: [{ name: 'HeroBanner', type: 'ORGANISM', version: '1.0.0' }],
    });
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.transitions.map((t) => [t.from, t.to, t.status])).toEqual([
      ['blueprints', 'style', 'SUCCESS'],
      ['style', 'pages', 'SUCCESS'],
      ['pages', 'components', 'SUCCESS'],
      ['components', 'code', 'SUCCESS'],
      ['code', 'quality', 'SUCCESS'],
      ['quality', null, 'SUCCESS'],
    ]);
    // Requested (not yet registered) components are not linked; the output names them.
    expect(run.componentIds).toEqual([]);
    expect((run.outputs?.components as { requestedIds: string[] }).requestedIds).toHaveLength(1);

    const events = await harness.query<{ runProgressEvents: EventView[] }>(EVENTS, { runId });
    const list = events.data!.runProgressEvents;
    expect(list.map((e) => e.sequence)).toEqual(list.map((_e, i) => i + 1));
    expect(list[0]).toMatchObject({ kind: 'STARTED', toStep: 'blueprints' });
    expect(list[list.length - 1]).toMatchObject({ kind: 'COMPLETED', status: 'SUCCEEDED' });
    expect(list.filter((e) => e.kind === 'TRANSITIONED').map((e) => e.fromStep)).toEqual([
      'blueprints',
      'style',
      'pages',
      'components',
      'code',
      'quality',
    ]);

    const after = await harness.query<{ runProgressEvents: EventView[] }>(EVENTS, {
      runId,
      after: list[2]!.cursor,
    });
    expect(after.data!.runProgressEvents.map((e) => e.sequence)).toEqual(
      list.slice(3).map((e) => e.sequence),
    );
  });
});
