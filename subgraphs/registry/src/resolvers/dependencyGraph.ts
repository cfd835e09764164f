import { badUserInput } from '../../../../lib/graphql';
import { findCycles, traverse, type DependencyEdge } from '../domain/dependencyGraph';
import { LIVE, type ComponentDoc } from '../models/Component';
import type { RegistryContext } from '../context';

/** Arguments of `Query.dependencyGraph`. */
export interface GraphArgs {
  id: string;
  direction: 'DEPENDENCIES' | 'DEPENDENTS' | 'BOTH';
  maxDepth: number;
}

/** Deepest traversal allowed: each level is one query. */
export const MAX_GRAPH_DEPTH = 20;

/**
 * The dependency graph around a component, level by level (one query per level and direction).
 * Edges always point from dependent to dependency; cycles found among them are reported.
 */
export async function dependencyGraph(root: ComponentDoc, args: GraphArgs, ctx: RegistryContext) {
  if (!Number.isInteger(args.maxDepth) || args.maxDepth < 1 || args.maxDepth > MAX_GRAPH_DEPTH) {
    throw badUserInput('maxDepth', `expected 1 to ${MAX_GRAPH_DEPTH}, but got: ${args.maxDepth}`);
  }
  const docs = new Map<string, ComponentDoc>([[root._id, root]]);
  const remember = (found: ComponentDoc[]) => {
    for (const doc of found) {
      docs.set(doc._id, doc);
      ctx.componentById.prime(doc._id, doc);
    }
  };
  const loadMissing = async (ids: string[]) => {
    const unknown = ids.filter((id) => !docs.has(id));
    if (unknown.length === 0) return;
    remember(await ctx.components.find({ _id: { $in: unknown }, ...LIVE }).lean<ComponentDoc[]>());
  };
  const nodes = new Map<string, { depth: number; direction: string }>();
  const edges: DependencyEdge[] = [];
  let truncated = false;

  if (args.direction !== 'DEPENDENTS') {
    const down = await traverse(
      [root._id],
      args.maxDepth,
      async (ids) => {
        await loadMissing(ids);
        return new Map(ids.map((id) => [id, docs.get(id)?.dependencies ?? []]));
      },
      (from, to) => ({ from, to }),
    );
    // Each fetch loads its frontier's documents; the deepest level still needs its own load.
    await loadMissing([...down.depths.keys()]);
    for (const [id, depth] of down.depths)
      if (id !== root._id) nodes.set(id, { depth, direction: 'DEPENDENCY' });
    edges.push(...down.edges);
    truncated ||= down.truncated;
  }
  if (args.direction !== 'DEPENDENCIES') {
    const up = await traverse(
      [root._id],
      args.maxDepth,
      async (ids) => {
        const found = await ctx.components
          .find({ dependencies: { $in: ids }, ...LIVE })
          .lean<ComponentDoc[]>();
        remember(found);
        return new Map(
          ids.map((id) => [
            id,
            found.filter((doc) => doc.dependencies.includes(id)).map((doc) => doc._id),
          ]),
        );
      },
      (node, dependent) => ({ from: dependent, to: node }),
    );
    for (const [id, depth] of up.depths) {
      if (id !== root._id && !nodes.has(id)) nodes.set(id, { depth, direction: 'DEPENDENT' });
    }
    edges.push(...up.edges);
    truncated ||= up.truncated;
  }
  // Edges to deleted or unknown components are left out: validation reports those.
  const unique = [
    ...new Map(edges.map((edge) => [`${edge.from}>${edge.to}`, edge])).values(),
  ].filter((edge) => docs.has(edge.from) && docs.has(edge.to));
  return {
    root,
    nodes: [...nodes]
      .filter(([id]) => docs.has(id))
      .map(([id, node]) => ({ component: docs.get(id), ...node })),
    edges: unique,
    cycles: findCycles(unique),
    truncated,
  };
}
