import DataLoader from 'dataloader';
import type { BaseContext } from '../../../lib/graphql';
import type { IntelligenceModels } from './models';
import type { ComponentInsightDoc } from './models/ComponentInsight';
import type { SyncController } from './sync/createSyncController';

/** Long-lived dependencies of the intelligence resolvers. */
export interface IntelligenceDeps extends IntelligenceModels {
  sync: SyncController;
}

/** Deepest dependents traversal for impact: each level is one query for the whole request. */
export const IMPACT_MAX_DEPTH = 10;

/** Per-request context with its DataLoaders. */
export interface IntelligenceContext extends BaseContext, IntelligenceDeps {
  insightById: DataLoader<string, ComponentInsightDoc | null>;
  /** Live components depending directly on an id (from the read model). */
  directDependents: DataLoader<string, string[]>;
  /** Transitive dependents (ids, nearest first), at most {@link IMPACT_MAX_DEPTH} levels. */
  transitiveDependents: DataLoader<string, string[]>;
  /** Signals by component id, newest first. */
  signalsOf: DataLoader<string, { type: string; reason?: string; at: Date }[]>;
}

/** Builds the per-request context. */
export function createIntelligenceContext(
  deps: IntelligenceDeps,
  base: BaseContext,
): IntelligenceContext {
  const insightById = new DataLoader<string, ComponentInsightDoc | null>(async (ids) => {
    const docs = await deps.insights.find({ _id: { $in: ids } }).lean<ComponentInsightDoc[]>();
    const byId = new Map(docs.map((doc) => [doc._id, doc]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  const directDependents = new DataLoader<string, string[]>(async (ids) => {
    const docs = await deps.insights
      .find({ dependencies: { $in: ids }, deleted: { $ne: true } })
      .lean<ComponentInsightDoc[]>();
    for (const doc of docs) insightById.prime(doc._id, doc);
    return ids.map((id) => docs.filter((doc) => doc.dependencies.includes(id)).map((d) => d._id));
  });
  // Batched breadth-first search: all roots of a request advance together, so the number of
  // queries is the depth of the graph, not the number of components asked about.
  const transitiveDependents = new DataLoader<string, string[]>(async (roots) => {
    const reached = new Map(roots.map((root) => [root, new Set<string>()]));
    let frontier = new Map(roots.map((root) => [root, [root]]));
    for (let depth = 0; depth < IMPACT_MAX_DEPTH && frontier.size > 0; depth++) {
      const ids = [...new Set([...frontier.values()].flat())];
      const lists = await directDependents.loadMany(ids);
      const byId = new Map(ids.map((id, i) => [id, lists[i] instanceof Error ? [] : lists[i]!]));
      const next = new Map<string, string[]>();
      for (const [root, nodes] of frontier) {
        const seen = reached.get(root)!;
        const fresh = nodes
          .flatMap((node) => byId.get(node) ?? [])
          .filter((id) => id !== root && !seen.has(id));
        for (const id of fresh) seen.add(id);
        if (fresh.length > 0) next.set(root, [...new Set(fresh)]);
      }
      frontier = next;
    }
    return roots.map((root) => [...reached.get(root)!]);
  });
  const signalsOf = new DataLoader<string, { type: string; reason?: string; at: Date }[]>(
    async (ids) => {
      const docs = await deps.signals
        .find({ componentId: { $in: ids } })
        .sort({ at: -1 })
        .limit(50 * ids.length)
        .lean();
      return ids.map((id) => docs.filter((doc) => doc.componentId === id));
    },
  );
  return {
    ...base,
    ...deps,
    insightById,
    directDependents,
    transitiveDependents,
    signalsOf,
  };
}
