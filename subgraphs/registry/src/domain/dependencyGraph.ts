/** A directed edge `from` depends on `to`. */
export interface DependencyEdge {
  from: string;
  to: string;
}

/** Fetches, for a set of ids, their neighbours in one direction (one database round trip). */
export type NeighbourFetch = (ids: string[]) => Promise<Map<string, string[]>>;

/** Result of a depth-limited traversal. */
export interface Traversal {
  /** Reached ids with the depth they were first reached at (the root has depth 0). */
  depths: Map<string, number>;
  edges: DependencyEdge[];
  /** True when nodes beyond `maxDepth` were left out. */
  truncated: boolean;
}

/**
 * Breadth-first traversal from `roots` in one direction, one fetch per level, so the cost is bounded
 * by depth and not by the number of nodes. `orient` maps (node, neighbour) to a dependency edge.
 */
export async function traverse(
  roots: string[],
  maxDepth: number,
  fetch: NeighbourFetch,
  orient: (node: string, neighbour: string) => DependencyEdge,
): Promise<Traversal> {
  const depths = new Map(roots.map((id) => [id, 0]));
  const edges = new Map<string, DependencyEdge>();
  let frontier = [...roots];
  let truncated = false;
  for (let depth = 1; frontier.length > 0; depth++) {
    const neighbours = await fetch(frontier);
    const next: string[] = [];
    for (const node of frontier) {
      for (const neighbour of neighbours.get(node) ?? []) {
        if (depth > maxDepth) {
          if (!depths.has(neighbour)) truncated = true;
          continue;
        }
        const edge = orient(node, neighbour);
        edges.set(`${edge.from}>${edge.to}`, edge);
        if (!depths.has(neighbour)) {
          depths.set(neighbour, depth);
          next.push(neighbour);
        }
      }
    }
    if (depth > maxDepth) break;
    frontier = next;
  }
  return { depths, edges: [...edges.values()], truncated };
}

/**
 * Elementary cycles found by depth-first search: each back edge yields the cycle on the current
 * path, reported once (rotated to start at its smallest id) as `[a, b, …, a]`.
 */
export function findCycles(edges: DependencyEdge[]): string[][] {
  const adjacency = new Map<string, string[]>();
  for (const { from, to } of edges) adjacency.set(from, [...(adjacency.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of adjacency.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = path.slice(path.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = rotated.join('>');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0]!]);
        }
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...adjacency.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/**
 * Would making `id` depend on `newDependencies` close a cycle? True when `id` is reachable from any
 * of them (or is one of them). `dependenciesOf` is one level fetch, as in {@link traverse}.
 */
export async function createsCycle(
  id: string,
  newDependencies: string[],
  dependenciesOf: NeighbourFetch,
  maxDepth = 50,
): Promise<boolean> {
  if (newDependencies.includes(id)) return true;
  const { depths } = await traverse(newDependencies, maxDepth, dependenciesOf, (from, to) => ({
    from,
    to,
  }));
  return depths.has(id);
}
