import {
  createsCycle,
  findCycles,
  traverse,
} from '../../../subgraphs/registry/src/domain/dependencyGraph';

const graph: Record<string, string[]> = { a: ['b', 'c'], b: ['d'], c: ['d'], d: ['e'], e: [] };
const fetchOf = (g: Record<string, string[]>) => {
  const calls: string[][] = [];
  const fetch = async (ids: string[]) => {
    calls.push(ids);
    return new Map(ids.map((id) => [id, g[id] ?? []]));
  };
  return { fetch, calls };
};

describe('traverse', () => {
  it('should reach every node at its shortest depth with one fetch per level', async () => {
    const { fetch, calls } = fetchOf(graph);
    const result = await traverse(['a'], 10, fetch, (from, to) => ({ from, to }));
    expect(Object.fromEntries(result.depths)).toEqual({ a: 0, b: 1, c: 1, d: 2, e: 3 });
    expect(result.edges).toHaveLength(5);
    expect(result.truncated).toBe(false);
    expect(calls).toEqual([['a'], ['b', 'c'], ['d'], ['e']]);
  });

  it('should stop at maxDepth and say it truncated', async () => {
    const { fetch } = fetchOf(graph);
    const result = await traverse(['a'], 2, fetch, (from, to) => ({ from, to }));
    expect([...result.depths.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(result.truncated).toBe(true);
  });

  it('should terminate on a cycle', async () => {
    const { fetch } = fetchOf({ x: ['y'], y: ['x'] });
    const result = await traverse(['x'], 20, fetch, (from, to) => ({ from, to }));
    expect(Object.fromEntries(result.depths)).toEqual({ x: 0, y: 1 });
    expect(result.edges).toEqual([
      { from: 'x', to: 'y' },
      { from: 'y', to: 'x' },
    ]);
  });
});

describe('findCycles', () => {
  it('should report each cycle once as a closed path starting at its smallest id', () => {
    const cycles = findCycles([
      { from: 'b', to: 'c' },
      { from: 'c', to: 'a' },
      { from: 'a', to: 'b' },
      { from: 'c', to: 'd' },
      { from: 'd', to: 'd' },
    ]);
    expect(cycles).toEqual([
      ['a', 'b', 'c', 'a'],
      ['d', 'd'],
    ]);
  });

  it('should find nothing in a DAG with shared dependencies', () => {
    expect(
      findCycles(Object.entries(graph).flatMap(([from, tos]) => tos.map((to) => ({ from, to })))),
    ).toEqual([]);
  });
});

describe('createsCycle', () => {
  it('should detect that depending on a transitive dependent closes a cycle', async () => {
    const { fetch } = fetchOf(graph);
    expect(await createsCycle('e', ['a'], fetch)).toBe(true);
    expect(await createsCycle('a', ['a'], fetch)).toBe(true);
    expect(await createsCycle('a', ['e'], fetch)).toBe(false);
  });
});
