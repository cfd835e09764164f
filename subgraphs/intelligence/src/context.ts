import DataLoader from 'dataloader';
import type { BaseContext } from '../../../lib/graphql';
import type { ComponentInsightDoc, ComponentInsightModel } from './models/ComponentInsight';

/** Long-lived dependencies of the intelligence resolvers. */
export interface IntelligenceDeps {
  insights: ComponentInsightModel;
}

/** Per-request context with its DataLoaders. */
export interface IntelligenceContext extends BaseContext, IntelligenceDeps {
  insightById: DataLoader<string, ComponentInsightDoc | null>;
}

/** Builds the per-request context. */
export function createIntelligenceContext(
  deps: IntelligenceDeps,
  base: BaseContext,
): IntelligenceContext {
  return {
    ...base,
    ...deps,
    insightById: new DataLoader(async (ids) => {
      const docs = await deps.insights.find({ _id: { $in: ids } }).lean<ComponentInsightDoc[]>();
      const byId = new Map(docs.map((doc) => [doc._id, doc]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
