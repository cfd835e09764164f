import { eventually } from '../../utils/graphqlClient';
import { startTestStack, type TestStack } from '../../utils/startTestStack';

const FIELDS = /* GraphQL */ `
  fragment C on Component {
    id
    name
    type
    version
    description
    tags
    props
    deprecated
    revision
    dependencies {
      id
    }
    dependents {
      id
    }
    usage {
      count
      projects
    }
    qualityReport {
      score
      passed
    }
  }
`;
const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      eventIds
      component {
        ...C
      }
    }
  }
  ${FIELDS}
`;
const UPDATE = /* GraphQL */ `
  mutation ($input: UpdateComponentInput!) {
    updateComponent(input: $input) {
      eventIds
      component {
        ...C
      }
    }
  }
  ${FIELDS}
`;
const DELETE = /* GraphQL */ `
  mutation ($id: ID!, $force: Boolean! = false) {
    deleteComponent(id: $id, force: $force) {
      id
      eventIds
    }
  }
`;
const VALIDATE = /* GraphQL */ `
  mutation ($id: ID!) {
    validateComponent(id: $id) {
      eventIds
      report {
        id
        score
        passed
        revision
        checks {
          name
          passed
          weight
          message
        }
      }
    }
  }
`;
const USE = /* GraphQL */ `
  mutation ($componentId: ID!, $projectId: ID!) {
    recordComponentUsage(componentId: $componentId, projectId: $projectId) {
      eventIds
      usage {
        count
        projects
        lastUsedAt
      }
    }
  }
`;

type Registered = { registerComponent: { eventIds: string[]; component: { id: string } } };

describe('registry mutations through the gateway', () => {
  let stack: TestStack;
  const register = async (input: Record<string, unknown>) => {
    const result = await stack.query<Registered>(REGISTER, { input });
    expect(result.errors).toBeUndefined();
    return result.data!.registerComponent.component.id;
  };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('should register with props and tags, and refuse non-object props naming the field', async () => {
    const result = await stack.query<{ registerComponent: { component: Record<string, unknown> } }>(
      REGISTER,
      {
        input: {
          name: 'TextInput',
          type: 'ATOM',
          version: '1.0.0',
          tags: [' Form ', 'form', 'input'],
          props: { type: 'object', properties: { value: { type: 'string' } } },
        },
      },
    );
    expect(result.data?.registerComponent.component).toMatchObject({
      tags: ['form', 'input'],
      props: { type: 'object', properties: { value: { type: 'string' } } },
      revision: 1,
      deprecated: false,
      usage: { count: 0, projects: [] },
      qualityReport: null,
    });
    const bad = await stack.query(REGISTER, {
      input: { name: 'BadProps', type: 'ATOM', version: '1.0.0', props: [1, 2] },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.props',
    });
  });

  it('should update with the expected revision and fail a stale one with CONFLICT', async () => {
    const id = await register({ name: 'Label', type: 'ATOM', version: '1.0.0' });
    const updated = await stack.query<{
      updateComponent: { eventIds: string[]; component: Record<string, unknown> };
    }>(UPDATE, {
      input: { id, expectedRevision: 1, version: '1.1.0', description: 'A text label for forms' },
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateComponent.eventIds).toHaveLength(1);
    expect(updated.data?.updateComponent.component).toMatchObject({
      version: '1.1.0',
      description: 'A text label for forms',
      revision: 2,
    });
    const stale = await stack.query(UPDATE, {
      input: { id, expectedRevision: 1, version: '2.0.0' },
    });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentRevision: 2 });
    const after = await stack.query<{ component: { version: string } }>(
      `query ($id: ID!) { component(id: $id) { version } }`,
      { id },
    );
    expect(after.data?.component.version).toBe('1.1.0');
  });

  it('should refuse a lower or malformed version, unknown dependencies and a cycle', async () => {
    const a = await register({ name: 'CycleA', type: 'ATOM', version: '2.0.0' });
    const b = await register({
      name: 'CycleB',
      type: 'MOLECULE',
      version: '1.0.0',
      dependencies: [a],
    });
    const lower = await stack.query(UPDATE, {
      input: { id: a, expectedRevision: 1, version: '1.9.9' },
    });
    expect(lower.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.version',
    });
    const malformed = await stack.query(UPDATE, {
      input: { id: a, expectedRevision: 1, version: 'v3' },
    });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ field: 'input.version' });
    const unknown = await stack.query(UPDATE, {
      input: { id: a, expectedRevision: 1, dependencies: ['nope'] },
    });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ field: 'input.dependencies' });
    const cycle = await stack.query(UPDATE, {
      input: { id: a, expectedRevision: 1, dependencies: [b] },
    });
    expect(cycle.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      field: 'input.dependencies',
    });
    const missing = await stack.query(UPDATE, {
      input: { id: 'nope', expectedRevision: 1, tags: ['x'] },
    });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('should refuse deleting a component with dependents unless forced, then hide it', async () => {
    const base = await register({ name: 'DelBase', type: 'ATOM', version: '1.0.0' });
    const user = await register({
      name: 'DelUser',
      type: 'MOLECULE',
      version: '1.0.0',
      dependencies: [base],
    });
    const refused = await stack.query(DELETE, { id: base });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', dependents: [user] });
    const forced = await stack.query<{ deleteComponent: { id: string; eventIds: string[] } }>(
      DELETE,
      {
        id: base,
        force: true,
      },
    );
    expect(forced.data?.deleteComponent).toEqual({ id: base, eventIds: [expect.any(String)] });
    const gone = await stack.query<{ component: unknown; user: { dependencies: unknown[] } }>(
      `query ($id: ID!, $user: ID!) { component(id: $id) { id } user: component(id: $user) { dependencies { id } } }`,
      { id: base, user },
    );
    expect(gone.data).toEqual({ component: null, user: { dependencies: [] } });
    const again = await stack.query(DELETE, { id: base });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The name is free again once deleted.
    await register({ name: 'DelBase', type: 'ATOM', version: '1.0.0' });
  });

  it('should validate into a scored report with per-check results kept as history', async () => {
    const dep = await register({ name: 'OldIcon', type: 'ATOM', version: '1.0.0' });
    await stack.query(UPDATE, { input: { id: dep, expectedRevision: 1, deprecated: true } });
    const id = await register({
      name: 'IconButton',
      type: 'MOLECULE',
      version: '1.0.0',
      dependencies: [dep],
      props: { type: 'object' },
    });
    const first = await stack.query<{
      validateComponent: {
        eventIds: string[];
        report: { score: number; passed: boolean; checks: { name: string; passed: boolean }[] };
      };
    }>(VALIDATE, { id });
    expect(first.data?.validateComponent.report).toMatchObject({ score: 55, passed: false });
    expect(
      first.data?.validateComponent.report.checks.filter((c) => !c.passed).map((c) => c.name),
    ).toEqual(['description-present', 'no-deprecated-dependencies']);

    await stack.query(UPDATE, {
      input: { id, expectedRevision: 1, description: 'A button showing an icon', dependencies: [] },
    });
    const second = await stack.query<{
      validateComponent: { report: { score: number; passed: boolean } };
    }>(VALIDATE, { id });
    expect(second.data?.validateComponent.report).toMatchObject({ score: 100, passed: true });

    const history = await stack.query<{
      qualityHistory: { score: number; revision: number }[];
      component: { qualityReport: { score: number } };
    }>(
      `query ($id: ID!) { qualityHistory(componentId: $id) { score revision } component(id: $id) { qualityReport { score } } }`,
      { id },
    );
    expect(history.data).toEqual({
      qualityHistory: [
        { score: 100, revision: 2 },
        { score: 55, revision: 1 },
      ],
      component: { qualityReport: { score: 100 } },
    });
    const unknown = await stack.query(VALIDATE, { id: 'nope' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('should record usage per project and refuse a bad project id', async () => {
    const id = await register({ name: 'Chip', type: 'ATOM', version: '1.0.0' });
    await stack.query(USE, { componentId: id, projectId: 'shop' });
    const second = await stack.query<{
      recordComponentUsage: { eventIds: string[]; usage: { count: number; projects: string[] } };
    }>(USE, { componentId: id, projectId: 'blog' });
    expect(second.data?.recordComponentUsage).toMatchObject({
      eventIds: [expect.any(String)],
      usage: { count: 2, projects: ['shop', 'blog'] },
    });
    const usage = await stack.query<{ componentUsage: { count: number } }>(
      `query ($id: ID!) { componentUsage(componentId: $id) { count projects } }`,
      { id },
    );
    expect(usage.data?.componentUsage).toEqual({ count: 2, projects: ['shop', 'blog'] });
    const bad = await stack.query(USE, { componentId: id, projectId: 'bad project!' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'projectId',
    });
  });

  it('should not lose concurrent usage records of one component (FerretDB lost updates)', async () => {
    const id = await register({ name: 'Busy', type: 'ATOM', version: '1.0.0' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.query<{ recordComponentUsage: { eventIds: string[] } }>(USE, {
          componentId: id,
          projectId: `p${i % 4}`,
        }),
      ),
    );
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    await stack.registry.relay.drain();
    const usage = await stack.query<{ componentUsage: { count: number; projects: string[] } }>(
      `query ($id: ID!) { componentUsage(componentId: $id) { count projects } }`,
      { id },
    );
    expect(usage.data?.componentUsage.count).toBe(20);
    expect([...usage.data!.componentUsage.projects].sort()).toEqual(['p0', 'p1', 'p2', 'p3']);
  });

  it('should relay every committed event so the outbox drains', async () => {
    await eventually(async () => ((await stack.registry.relay.backlog()) === 0 ? true : undefined));
    expect(await stack.registry.relay.backlog()).toBe(0);
  });
});
