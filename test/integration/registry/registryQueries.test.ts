import { startTestStack, type TestStack } from '../../utils/startTestStack';

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      component {
        id
      }
    }
  }
`;
const LIST = /* GraphQL */ `
  query ($filter: ComponentFilter, $sort: ComponentSort, $first: Int!, $after: String) {
    components(filter: $filter, sort: $sort, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          name
        }
      }
    }
  }
`;

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { name: string } }[];
};

describe('registry queries through the gateway', () => {
  let stack: TestStack;
  const ids: Record<string, string> = {};
  const ok = async (query: string, variables?: Record<string, unknown>) => {
    const result = await stack.query<Data>(query, variables);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const register = async (name: string, type: string, extra: Record<string, unknown> = {}) => {
    const data = await ok(REGISTER, { input: { name, type, version: '1.0.0', ...extra } });
    ids[name] = data.registerComponent.component.id;
  };
  const names = (page: Page) => page.edges.map((edge) => edge.node.name);

  beforeAll(async () => {
    stack = await startTestStack();
    await register('PrimaryButton', 'ATOM', {
      tags: ['button', 'action'],
      description: 'The main call to action',
    });
    await register('IconButton', 'ATOM', {
      tags: ['button'],
      description: 'A button with an icon',
    });
    await register('SearchField', 'MOLECULE', {
      tags: ['form'],
      description: 'Text input with a search button',
      dependencies: [ids.PrimaryButton],
    });
    await register('Header', 'ORGANISM', {
      tags: ['layout'],
      dependencies: [ids.SearchField, ids.IconButton],
    });
    await register('HomePage', 'PAGE', { dependencies: [ids.Header] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('should page through components with cursors, newest first by default', async () => {
    const first = (await ok(LIST, { first: 2 })).components as Page;
    expect(names(first)).toEqual(['HomePage', 'Header']);
    expect(first).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true } });
    const second = (await ok(LIST, { first: 2, after: first.pageInfo.endCursor }))
      .components as Page;
    expect(names(second)).toEqual(['SearchField', 'IconButton']);
    const third = (await ok(LIST, { first: 2, after: second.pageInfo.endCursor }))
      .components as Page;
    expect(names(third)).toEqual(['PrimaryButton']);
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  it('should filter by type, tag and text and sort by name', async () => {
    const sort = { field: 'NAME', direction: 'ASC' };
    const atoms = (await ok(LIST, { first: 10, sort, filter: { type: 'ATOM' } }))
      .components as Page;
    expect(names(atoms)).toEqual(['IconButton', 'PrimaryButton']);
    const tagged = (await ok(LIST, { first: 10, sort, filter: { tag: 'BUTTON' } }))
      .components as Page;
    expect(names(tagged)).toEqual(['IconButton', 'PrimaryButton']);
    const text = (await ok(LIST, { first: 10, sort, filter: { text: 'search button' } }))
      .components as Page;
    expect(names(text)).toEqual(['SearchField']);
    const byNameDesc = (await ok(LIST, { first: 2, sort: { field: 'NAME', direction: 'DESC' } }))
      .components as Page;
    const next = (
      await ok(LIST, {
        first: 2,
        sort: { field: 'NAME', direction: 'DESC' },
        after: byNameDesc.pageInfo.endCursor,
      })
    ).components as Page;
    expect([...names(byNameDesc), ...names(next)]).toEqual([
      'SearchField',
      'PrimaryButton',
      'IconButton',
      'HomePage',
    ]);
  });

  it('should refuse bad paging input naming the field', async () => {
    const badFirst = await stack.query(LIST, { first: 0 });
    expect(badFirst.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    const badCursor = await stack.query(LIST, { first: 1, after: 'garbage' });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    const badText = await stack.query(LIST, { first: 1, filter: { text: '  !! ' } });
    expect(badText.errors?.[0]?.extensions).toMatchObject({ field: 'filter.text' });
  });

  it('should rank search results by where the words match', async () => {
    const data = await ok(
      `{ searchComponents(query: "button") { score matchedTokens component { name } } }`,
    );
    const ranked = data.searchComponents.map(
      (hit: { component: { name: string } }) => hit.component.name,
    );
    // Name matches (and tags) rank above a description-only match.
    expect(ranked.slice(0, 2).sort()).toEqual(['IconButton', 'PrimaryButton']);
    expect(ranked[2]).toBe('SearchField');
    expect(data.searchComponents[0].score).toBeGreaterThan(data.searchComponents[2].score);
    const prefix = await ok(
      `{ searchComponents(query: "head", type: ORGANISM) { component { name } } }`,
    );
    expect(prefix.searchComponents).toEqual([{ component: { name: 'Header' } }]);
    const bad = await stack.query(`{ searchComponents(query: "--") { score } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
  });

  it('should list components by type with their dependents', async () => {
    const data = await ok(`{ componentsByType(type: ATOM) { name dependents { name } } }`);
    expect(data.componentsByType).toEqual([
      { name: 'IconButton', dependents: [{ name: 'Header' }] },
      { name: 'PrimaryButton', dependents: [{ name: 'SearchField' }] },
    ]);
  });

  it('should return the dependency graph in both directions, depth-limited', async () => {
    const GRAPH = `query ($id: ID!, $d: GraphDirection!, $depth: Int!) { dependencyGraph(id: $id, direction: $d, maxDepth: $depth) { root { name } nodes { depth direction component { name } } edges { from to } cycles truncated } }`;
    const both = await ok(GRAPH, { id: ids.Header, d: 'BOTH', depth: 5 });
    const nodes = both.dependencyGraph.nodes.map(
      (n: { component: { name: string }; depth: number; direction: string }) =>
        `${n.direction}:${n.component.name}:${n.depth}`,
    );
    expect(nodes.sort()).toEqual([
      'DEPENDENCY:IconButton:1',
      'DEPENDENCY:PrimaryButton:2',
      'DEPENDENCY:SearchField:1',
      'DEPENDENT:HomePage:1',
    ]);
    expect(both.dependencyGraph).toMatchObject({ cycles: [], truncated: false });
    expect(both.dependencyGraph.edges).toHaveLength(4);
    const shallow = await ok(GRAPH, { id: ids.HomePage, d: 'DEPENDENCIES', depth: 1 });
    expect(shallow.dependencyGraph.nodes).toEqual([
      { depth: 1, direction: 'DEPENDENCY', component: { name: 'Header' } },
    ]);
    expect(shallow.dependencyGraph.truncated).toBe(true);
    const up = await ok(GRAPH, { id: ids.PrimaryButton, d: 'DEPENDENTS', depth: 10 });
    expect(
      up.dependencyGraph.nodes.map((n: { component: { name: string } }) => n.component.name),
    ).toEqual(['SearchField', 'Header', 'HomePage']);
    const badDepth = await stack.query(GRAPH, { id: ids.Header, d: 'BOTH', depth: 99 });
    expect(badDepth.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'maxDepth',
    });
    const missing = await stack.query(GRAPH, { id: 'nope', d: 'BOTH', depth: 2 });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('should answer NOT_FOUND for history and usage of an unknown component', async () => {
    const history = await stack.query(`{ qualityHistory(componentId: "nope") { score } }`);
    expect(history.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const usage = await stack.query(`{ componentUsage(componentId: "nope") { count } }`);
    expect(usage.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await ok(`{ component(id: "nope") { id } }`)).component).toBeNull();
  });
});
