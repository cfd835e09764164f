import { eventually } from '../../utils/graphqlClient';
import { startDomainStack, type DomainStack } from './startDomainStack';

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      component {
        id
      }
    }
  }
`;
const USE = /* GraphQL */ `
  mutation ($c: ID!, $p: ID!) {
    recordComponentUsage(componentId: $c, projectId: $p) {
      eventIds
    }
  }
`;
const IMPACT = /* GraphQL */ `
  query ($id: ID!) {
    component(id: $id) {
      name
      insights {
        eventCount
        qualityPassed
        usageCount
      }
      impact {
        dependents {
          name
        }
        directDependentCount
        transitiveDependentCount
        riskScore
        riskLevel
      }
    }
  }
`;

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('intelligence subgraph through the gateway', () => {
  let stack: DomainStack;
  const ids: Record<string, string> = {};
  const q = async (query: string, variables?: Record<string, unknown>) => {
    const result = await stack.query<Data>(query, variables);
    return result;
  };
  const ok = async (query: string, variables?: Record<string, unknown>) => {
    const result = await q(query, variables);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const register = async (name: string, type: string, deps: string[] = [], extra = {}) => {
    const data = await ok(REGISTER, {
      input: { name, type, version: '1.0.0', dependencies: deps.map((d) => ids[d]), ...extra },
    });
    ids[name] = data.registerComponent.component.id;
  };
  /** Waits until the read model has applied `count` events of a component. */
  const seen = (name: string, count: number) =>
    eventually(async () => {
      const data = (await q(IMPACT, { id: ids[name] })).data;
      return data?.component?.insights?.eventCount >= count ? data : undefined;
    }, 90_000);

  beforeAll(async () => {
    stack = await startDomainStack();
    // Base <- Field <- Form <- Page; Icon is deprecated; Button uses Icon.
    await register('Base', 'ATOM');
    await register('Field', 'MOLECULE', ['Base']);
    await register('Form', 'ORGANISM', ['Field', 'Base']);
    await register('Page', 'PAGE', ['Form']);
    await register('Icon', 'ATOM');
    await register('Button', 'ATOM', ['Icon']);
    await ok(
      `mutation ($id: ID!) { updateComponent(input: { id: $id, expectedRevision: 1, deprecated: true }) { eventIds } }`,
      { id: ids.Icon },
    );
    for (const name of ['Base', 'Field', 'Form', 'Page', 'Button']) await seen(name, 1);
    await seen('Icon', 2);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('should compute transitive impact and a risk score from the read model', async () => {
    const data = await ok(IMPACT, { id: ids.Base });
    expect(data.component.impact).toMatchObject({
      directDependentCount: 2,
      transitiveDependentCount: 3,
      riskLevel: expect.stringMatching(/LOW|MEDIUM|HIGH/),
    });
    expect(data.component.impact.dependents.map((d: { name: string }) => d.name).sort()).toEqual([
      'Field',
      'Form',
      'Page',
    ]);
    const leaf = await ok(IMPACT, { id: ids.Page });
    expect(leaf.component.impact).toMatchObject({ transitiveDependentCount: 0, riskScore: 0 });
    expect(data.component.impact.riskScore).toBeGreaterThan(leaf.component.impact.riskScore);
  });

  it('should learn quality failures and deprecated dependencies as likely issues', async () => {
    await ok(`mutation ($id: ID!) { validateComponent(id: $id) { report { passed } } }`, {
      id: ids.Button,
    });
    await eventually(async () => {
      const data = (await q(IMPACT, { id: ids.Button })).data;
      return data?.component?.insights?.qualityPassed === false ? true : undefined;
    });
    const data = await ok(
      `query ($id: ID) { likelyIssues(componentId: $id) { kind severity message component { name } } }`,
      { id: ids.Button },
    );
    expect(data.likelyIssues.map((i: { kind: string }) => i.kind).sort()).toEqual([
      'DEPRECATED_DEPENDENCY',
      'QUALITY_FAILED',
    ]);
    expect(data.likelyIssues[0].component.name).toBe('Button');
    const both = await q(`{ likelyIssues(componentId: "a", projectId: "b") { kind } }`);
    expect(both.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'componentId',
    });
  });

  it('should build project context from usage and predict next components from co-usage', async () => {
    for (const [project, names] of [
      ['shop', ['Base', 'Field', 'Button']],
      ['blog', ['Base', 'Field']],
      ['docs', ['Base']],
    ] as const) {
      for (const name of names) await ok(USE, { c: ids[name], p: project });
    }
    const context = await eventually(async () => {
      const data = (
        await q(
          `query { projectContext(projectId: "shop") { version components { name } componentsByType { type count } recentEvents { type componentId } } }`,
        )
      ).data;
      return data?.projectContext.recentEvents.length === 3 ? data.projectContext : undefined;
    });
    expect(context.components.map((c: { name: string }) => c.name).sort()).toEqual([
      'Base',
      'Button',
      'Field',
    ]);
    expect(context.componentsByType).toEqual(
      expect.arrayContaining([
        { type: 'ATOM', count: 2 },
        { type: 'MOLECULE', count: 1 },
      ]),
    );
    await eventually(async () => {
      const data = (await q(`{ projectContext(projectId: "docs") { components { id } } }`)).data;
      return data?.projectContext.components.length === 1 ? true : undefined;
    });
    const next = await ok(
      `{ nextComponents(projectId: "docs", first: 3) { confidence support component { name } } }`,
    );
    expect(next.nextComponents[0].component.name).toBe('Field');
    expect(next.nextComponents[0].confidence).toBeGreaterThan(0);
    expect(next.nextComponents[0].confidence).toBeLessThanOrEqual(1);
    const bad = await q(`{ nextComponents(projectId: "no spaces") { confidence } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'projectId',
    });
  });

  it('should merge project context updates under a version and refuse a stale one', async () => {
    const UPDATE = `mutation ($input: UpdateProjectContextInput!) { updateProjectContext(input: $input) { version style decisions { key value } } }`;
    const first = await ok(UPDATE, {
      input: {
        projectId: 'styled',
        expectedVersion: 0,
        style: { primary: '#00f', radius: 4 },
        decisions: [{ key: 'router', value: 'file-based' }],
      },
    });
    expect(first.updateProjectContext).toEqual({
      version: 1,
      style: { primary: '#00f', radius: 4 },
      decisions: [{ key: 'router', value: 'file-based' }],
    });
    const second = await ok(UPDATE, {
      input: { projectId: 'styled', expectedVersion: 1, style: { radius: null, font: 'Inter' } },
    });
    expect(second.updateProjectContext).toMatchObject({
      version: 2,
      style: { primary: '#00f', font: 'Inter' },
    });
    const stale = await q(UPDATE, {
      input: { projectId: 'styled', expectedVersion: 1, style: {} },
    });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    const bad = await q(UPDATE, { input: { projectId: 'styled', expectedVersion: 2, style: [1] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.style',
    });
  });

  it('should integrate a feature with affected components and parallel levels, readable later', async () => {
    const INTEGRATE = `mutation ($input: IntegrateFeatureInput!) { integrateFeature(input: $input) { id riskScore affected { name } plan { levels { level components { name } } criticalPath { name } } } }`;
    const data = await ok(INTEGRATE, {
      input: { projectId: 'shop', name: 'checkout', componentIds: [ids.Field] },
    });
    const feature = data.integrateFeature;
    expect(feature.affected.map((c: { name: string }) => c.name).sort()).toEqual(['Form', 'Page']);
    expect(feature.plan.levels).toEqual([
      { level: 0, components: [{ name: 'Field' }] },
      { level: 1, components: [{ name: 'Form' }] },
      { level: 2, components: [{ name: 'Page' }] },
    ]);
    expect(feature.plan.criticalPath.map((c: { name: string }) => c.name)).toEqual([
      'Field',
      'Form',
      'Page',
    ]);
    const later = await ok(`query ($id: ID!) { featureImpact(id: $id) { name riskScore } }`, {
      id: feature.id,
    });
    expect(later.featureImpact).toEqual({ name: 'checkout', riskScore: feature.riskScore });
    const duplicate = await q(INTEGRATE, {
      input: { projectId: 'shop', name: 'checkout', componentIds: [ids.Field] },
    });
    expect(duplicate.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const unknown = await q(INTEGRATE, {
      input: { projectId: 'shop', name: 'other', componentIds: ['nope'] },
    });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.componentIds',
    });
    expect((await ok(`{ featureImpact(id: "nope") { id } }`)).featureImpact).toBeNull();
  });

  it('should optimise a build into parallel levels with a critical path', async () => {
    const data = await ok(
      `query ($ids: [ID!]!) { optimizeBuild(componentIds: $ids) { levels { level components { name } } criticalPath { name } blocked { id } } }`,
      { ids: [ids.Page, ids.Button] },
    );
    expect(data.optimizeBuild.levels).toEqual([
      { level: 0, components: expect.arrayContaining([{ name: 'Base' }, { name: 'Icon' }]) },
      { level: 1, components: expect.arrayContaining([{ name: 'Field' }, { name: 'Button' }]) },
      { level: 2, components: [{ name: 'Form' }] },
      { level: 3, components: [{ name: 'Page' }] },
    ]);
    expect(data.optimizeBuild.criticalPath.map((c: { name: string }) => c.name)).toEqual([
      'Base',
      'Field',
      'Form',
      'Page',
    ]);
    const bad = await q(`{ optimizeBuild(componentIds: []) { blocked { id } } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'componentIds',
    });
  });

  it('should consume pipeline.blocked and style.changed from the pipeline topic', async () => {
    await stack.publish('pipeline', 'pipeline.blocked', 'run-1', {
      pipelineId: 'run-1',
      componentId: ids.Form,
      reason: 'snapshot test failed',
    });
    await stack.publish('pipeline', 'style.changed', 'style-1', {
      styleId: 'style-1',
      projectId: 'styled',
    });
    const issues = await eventually(async () => {
      const data = (
        await q(`query ($id: ID) { likelyIssues(componentId: $id) { kind message } }`, {
          id: ids.Form,
        })
      ).data;
      return data?.likelyIssues.length ? data.likelyIssues : undefined;
    });
    expect(issues).toEqual([{ kind: 'PIPELINE_BLOCKED', message: 'snapshot test failed' }]);
    const epoch = await eventually(async () => {
      const data = (await q(`{ projectContext(projectId: "styled") { styleEpoch } }`)).data;
      return data?.projectContext.styleEpoch === 1 ? 1 : undefined;
    });
    expect(epoch).toBe(1);
  });

  it('should rebuild the read model by replaying the registry topic', async () => {
    const before = await ok(`{ syncStatus { componentsKnown lag } }`);
    expect(before.syncStatus.componentsKnown).toBe(6);
    const started = await ok(`mutation { triggerSync(reset: true) { state } }`);
    expect(['RUNNING', 'SUCCEEDED']).toContain(started.triggerSync.state);
    const done = await eventually(async () => {
      const data = (
        await q(`{ syncStatus { state eventsReplayed componentsKnown lastEventAt lag error } }`)
      ).data;
      return data?.syncStatus.state === 'SUCCEEDED' ? data.syncStatus : undefined;
    }, 60_000);
    expect(done).toMatchObject({ error: null, lastEventAt: expect.any(String) });
    expect([done.componentsKnown, done.eventsReplayed]).toEqual([6, expect.any(Number)]);
    expect(done.eventsReplayed).toBeGreaterThanOrEqual(7);
    const data = await ok(IMPACT, { id: ids.Base });
    expect(data.component.impact.transitiveDependentCount).toBe(3);
  });
});
