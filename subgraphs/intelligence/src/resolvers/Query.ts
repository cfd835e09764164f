import { badUserInput } from '../../../../lib/graphql';
import type { ComponentInsightDoc } from '../models/ComponentInsight';
import type { FeatureDoc } from '../models/Feature';
import type { IntelligenceContext } from '../context';
import { projectContext } from './projectContext';
import { knownComponents, likelyIssues, nextComponents, planFor } from './predictions';

const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** BAD_USER_INPUT unless `projectId` looks like the registry's project ids. */
export function checkProjectId(projectId: string, field = 'projectId') {
  if (!PROJECT_ID.test(projectId)) {
    throw badUserInput(field, 'expected 1-100 letters, digits, ".", "_", ":" or "-"');
  }
}

/** Shapes a stored plan for the API (components as references resolved by the registry). */
export const planView = (plan: {
  levels: string[][];
  criticalPath: string[];
  blocked?: string[];
}) => ({
  levels: plan.levels.map((ids, level) => ({ level, components: ids.map((id) => ({ id })) })),
  criticalPath: plan.criticalPath.map((id) => ({ id })),
  blocked: (plan.blocked ?? []).map((id) => ({ id })),
});

/** Shapes a stored feature for the API. */
export const featureView = (doc: FeatureDoc) => ({
  id: doc._id,
  projectId: doc.projectId,
  name: doc.name,
  components: doc.componentIds.map((id) => ({ id })),
  affected: doc.affected.map((id) => ({ id })),
  riskScore: doc.riskScore,
  plan: planView({
    levels: doc.levels.map((level) => level.ids),
    criticalPath: doc.criticalPath,
  }),
  createdAt: doc.createdAt,
});

/** Root query resolvers of the intelligence subgraph. */
export const Query = {
  syncStatus: async (_: unknown, _args: unknown, ctx: IntelligenceContext) => {
    // Snapshot first: a SUCCEEDED state then guarantees the counts below include the whole replay.
    const snapshot = ctx.sync.snapshot();
    const [componentsKnown, projectsKnown, signals, latest, lag] = await Promise.all([
      ctx.insights.countDocuments(),
      ctx.projects.countDocuments(),
      ctx.signals.countDocuments(),
      ctx.insights
        .findOne({}, { lastEventAt: 1 })
        .sort({ lastEventAt: -1 })
        .lean<ComponentInsightDoc>(),
      ctx.sync.lag(),
    ]);
    return {
      ...snapshot,
      lag,
      componentsKnown,
      projectsKnown,
      signalsKnown: signals,
      lastEventAt: latest?.lastEventAt ?? null,
    };
  },

  projectContext: (_: unknown, args: { projectId: string }, ctx: IntelligenceContext) => {
    checkProjectId(args.projectId);
    return projectContext(args.projectId, ctx);
  },

  featureImpact: async (_: unknown, args: { id: string }, ctx: IntelligenceContext) => {
    const doc = await ctx.features.findById(args.id).lean<FeatureDoc>();
    return doc ? featureView(doc) : null;
  },

  nextComponents: (
    _: unknown,
    args: { projectId: string; first: number },
    ctx: IntelligenceContext,
  ) => {
    checkProjectId(args.projectId);
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > 50) {
      throw badUserInput('first', `expected 1 to 50, but got: ${args.first}`);
    }
    return nextComponents(args.projectId, args.first, ctx);
  },

  likelyIssues: async (
    _: unknown,
    args: { componentId?: string | null; projectId?: string | null },
    ctx: IntelligenceContext,
  ) => {
    if ((args.componentId == null) === (args.projectId == null)) {
      throw badUserInput('componentId', 'give exactly one of componentId and projectId');
    }
    if (args.componentId != null) return likelyIssues([args.componentId], ctx);
    checkProjectId(args.projectId!);
    const project = await ctx.projects.findById(args.projectId).lean();
    return likelyIssues(project?.components ?? [], ctx);
  },

  optimizeBuild: async (_: unknown, args: { componentIds: string[] }, ctx: IntelligenceContext) => {
    const ids = await knownComponents(args.componentIds, 'componentIds', ctx);
    return planView(await planFor(ids, ctx));
  },
};
