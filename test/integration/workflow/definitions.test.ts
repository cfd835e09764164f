import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const DEFINE = /* GraphQL */ `
  mutation D($d: String!) {
    defineWorkflow(definition: $d) {
      id
      version
      stepIds
    }
  }
`;

const echo = (id: string) => ({ id, type: 'action', action: 'test.echo', input: { value: id } });

describe('workflow definitions', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await startWorkflowHarness({ WORKFLOW_ENGINE_ENABLED: 'false' });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const define = (definition: unknown) =>
    harness.query<{ defineWorkflow: { id: string; version: string; stepIds: string[] } }>(DEFINE, {
      d: typeof definition === 'string' ? definition : JSON.stringify(definition),
    });

  it('should refuse an unknown action with BAD_USER_INPUT naming its path', async () => {
    const result = await define({
      id: 'bad-action',
      version: '1.0.0',
      name: 'Bad',
      steps: [echo('a'), { id: 'b', type: 'action', action: 'no.such.action' }],
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition/steps/1/action',
    });
    expect(result.errors?.[0]?.message).toContain('unknown action "no.such.action"');
  });

  it('should refuse structural problems with the path of the offending property', async () => {
    const cases: [unknown, string][] = [
      [{ id: 'x', version: '1.0', name: 'X', steps: [echo('a')] }, 'definition/version'],
      [
        { id: 'x', version: '1.0.0', name: 'X', steps: [{ ...echo('a'), next: 'nowhere' }] },
        'definition/steps/0/next',
      ],
      [
        { id: 'x', version: '1.0.0', name: 'X', steps: [echo('a'), echo('a')] },
        'definition/steps/1/id',
      ],
      [
        { id: 'x', version: '1.0.0', name: 'X', steps: [{ ...echo('a'), colour: 'red' }] },
        'definition/steps/0/colour',
      ],
      [
        {
          id: 'x',
          version: '1.0.0',
          name: 'X',
          steps: [{ id: 'd', type: 'decision', branches: [{ when: 'a +', next: '$end' }] }],
        },
        'definition/steps/0/branches/0/when',
      ],
      [
        {
          id: 'x',
          version: '1.0.0',
          name: 'X',
          steps: [echo('a')],
          schedules: [{ id: 's', cron: 'every day' }],
        },
        'definition/schedules/0/cron',
      ],
    ];
    for (const [definition, field] of cases) {
      const result = await define(definition);
      expect({ field, extensions: result.errors?.[0]?.extensions }).toMatchObject({
        field,
        extensions: { code: 'BAD_USER_INPUT', field },
      });
    }
  });

  it('should accept YAML, keep versions side by side and refuse redefining a version', async () => {
    const yaml = `
id: side-by-side
version: 1.0.0
name: Side by side
steps:
  - id: first
    type: action
    action: test.echo
`;
    const v1 = await define(yaml);
    expect(v1.data?.defineWorkflow).toEqual({
      id: 'side-by-side',
      version: '1.0.0',
      stepIds: ['first'],
    });
    const v2 = await define(
      yaml
        .replace('1.0.0', '1.1.0')
        .concat('  - id: second\n    type: action\n    action: test.echo\n'),
    );
    expect(v2.data?.defineWorkflow.stepIds).toEqual(['first', 'second']);
    const again = await define(yaml);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const latest = await harness.query<{ workflowDefinition: { version: string } }>(
      `{ workflowDefinition(id: "side-by-side") { version } }`,
    );
    expect(latest.data?.workflowDefinition.version).toBe('1.1.0');
    const all = await harness.query<{ workflowDefinitions: { version: string }[] }>(
      `{ workflowDefinitions(id: "side-by-side") { version } }`,
    );
    expect(all.errors).toBeUndefined();
    expect(all.data?.workflowDefinitions.map((d) => d.version)).toEqual(['1.0.0', '1.1.0']);
  });

  it('should return the first run for a repeated idempotency key and pin the version', async () => {
    const start = (key: string, version?: string) =>
      harness.query<{ startRun: { id: string; definitionVersion: string } }>(
        `mutation S($i: StartRunInput!) { startRun(input: $i) { id definitionVersion } }`,
        { i: { definitionId: 'side-by-side', version, idempotencyKey: key } },
      );
    const first = await start('key-1', '1.0.0');
    const second = await start('key-1', '1.0.0');
    expect(second.data?.startRun.id).toBe(first.data?.startRun.id);
    expect(first.data?.startRun.definitionVersion).toBe('1.0.0');
    const other = await start('key-2');
    expect(other.data?.startRun.definitionVersion).toBe('1.1.0');
    expect(other.data?.startRun.id).not.toBe(first.data?.startRun.id);
  });
});
