import type { ComponentInsightDoc } from '../models/ComponentInsight';
import type { IntelligenceContext } from '../context';

/** Root query resolvers of the intelligence subgraph. */
export const Query = {
  syncStatus: async (_: unknown, _args: unknown, ctx: IntelligenceContext) => {
    const [componentsKnown, latest] = await Promise.all([
      ctx.insights.countDocuments(),
      ctx.insights
        .findOne({}, { lastEventAt: 1 })
        .sort({ lastEventAt: -1 })
        .lean<ComponentInsightDoc>(),
    ]);
    return { componentsKnown, lastEventAt: latest?.lastEventAt ?? null };
  },
};
