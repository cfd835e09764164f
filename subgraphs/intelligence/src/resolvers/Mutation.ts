import { randomUUID } from 'node:crypto';
import { badUserInput, conflict } from '../../../../lib/graphql';
import { planBuild } from '../domain/buildPlan';
import { riskScore } from '../domain/riskScore';
import type { Decision } from '../models/ProjectContext';
import type { IntelligenceContext } from '../context';
import { projectContext } from './projectContext';
import { knownComponents } from './predictions';
import { checkProjectId, featureView, Query } from './Query';

const DUPLICATE_KEY = 11000;
const STYLE_KEY = /^[A-Za-z0-9_-]{1,100}$/;

/** Input of `updateProjectContext`. */
interface UpdateProjectContextInput {
  projectId: string;
  expectedVersion: number;
  style?: unknown;
  decisions?: { key: string; value: unknown }[] | null;
}

/** Merges a style patch: top-level keys replace, `null` removes a key. */
function mergeStyle(current: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (patch == null) return current;
  if (typeof patch !== 'object' || Array.isArray(patch)) {
    throw badUserInput('input.style', 'expected a JSON object');
  }
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (!STYLE_KEY.test(key)) throw badUserInput('input.style', `"${key}" is not a valid key`);
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Merges decisions by key (a later value replaces an earlier one). */
function mergeDecisions(current: Decision[], patch: UpdateProjectContextInput['decisions']) {
  const byKey = new Map(current.map((decision) => [decision.key, decision]));
  for (const decision of patch ?? []) {
    if (!STYLE_KEY.test(decision.key)) {
      throw badUserInput('input.decisions', `"${decision.key}" is not a valid key`);
    }
    byKey.set(decision.key, { key: decision.key, value: decision.value, decidedAt: new Date() });
  }
  return [...byKey.values()];
}

/** Root mutation resolvers of the intelligence subgraph. */
export const Mutation = {
  updateProjectContext: async (
    _: unknown,
    { input }: { input: UpdateProjectContextInput },
    ctx: IntelligenceContext,
  ) => {
    checkProjectId(input.projectId, 'input.projectId');
    const current = await ctx.projects.findById(input.projectId).lean();
    const version = current?.version ?? 0;
    const stale = () =>
      conflict(
        `project ${input.projectId} is at version ${version}, not ${input.expectedVersion}`,
        {
          currentVersion: version,
        },
      );
    if (version !== input.expectedVersion) throw stale();
    const style = mergeStyle(current?.style ?? {}, input.style);
    const decisions = mergeDecisions(current?.decisions ?? [], input.decisions);
    try {
      // Compare-and-set on version; the projector's $addToSet on components never touches it.
      const result = await ctx.projects.updateOne(
        { _id: input.projectId, version },
        { $set: { style, decisions, updatedAt: new Date() }, $inc: { version: 1 } },
        { upsert: !current },
      );
      if (result.matchedCount + result.upsertedCount === 0) throw stale();
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY) throw stale();
      throw error;
    }
    return projectContext(input.projectId, ctx);
  },

  integrateFeature: async (
    _: unknown,
    { input }: { input: { projectId: string; name: string; componentIds: string[] } },
    ctx: IntelligenceContext,
  ) => {
    checkProjectId(input.projectId, 'input.projectId');
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100)
      throw badUserInput('input.name', 'expected 1 to 100 characters');
    const ids = await knownComponents(input.componentIds, 'input.componentIds', ctx);
    const chosen = new Set(ids);
    const [dependents, direct, insights] = await Promise.all([
      ctx.transitiveDependents.loadMany(ids),
      ctx.directDependents.loadMany(ids),
      ctx.insightById.loadMany(ids),
    ]);
    const affected = [
      ...new Set(dependents.flatMap((list) => (list instanceof Error ? [] : list))),
    ].filter((id) => !chosen.has(id));
    const signals = await ctx.signalsOf.loadMany(ids);
    const docs = insights.flatMap((doc) => (doc && !(doc instanceof Error) ? [doc] : []));
    const score = riskScore({
      transitiveDependents: affected.length,
      directDependents: direct.reduce(
        (n, list) => n + (list instanceof Error ? 0 : list.length),
        0,
      ),
      qualityFailures: docs.reduce((n, doc) => n + (doc.qualityFailures ?? 0), 0),
      qualityPassed: docs.some((doc) => doc.qualityPassed === false) ? false : undefined,
      blockedPipelines: signals
        .flatMap((list) => (list instanceof Error ? [] : list))
        .filter((s) => s.type === 'pipeline.blocked').length,
      deprecated: docs.some((doc) => doc.deprecated),
    });
    // What must be rebuilt: the feature's components and everything built from them.
    const rebuild = [...ids, ...affected];
    const rebuildDocs = await ctx.insightById.loadMany(rebuild);
    const depsOf = new Map(
      rebuild.map((id, i) => {
        const doc = rebuildDocs[i];
        return [id, doc && !(doc instanceof Error) ? doc.dependencies : []];
      }),
    );
    const plan = planBuild(rebuild, (id) => depsOf.get(id) ?? []);
    try {
      const doc = await ctx.features.create({
        _id: randomUUID(),
        projectId: input.projectId,
        name,
        componentIds: ids,
        affected,
        riskScore: score,
        levels: plan.levels.map((level) => ({ ids: level })),
        criticalPath: plan.criticalPath,
        createdAt: new Date(),
      });
      return featureView(doc.toObject());
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY) {
        throw conflict(`project ${input.projectId} already has a feature "${name}"`, {
          field: 'input.name',
        });
      }
      throw error;
    }
  },

  triggerSync: (_: unknown, args: { reset: boolean }, ctx: IntelligenceContext) => {
    ctx.sync.trigger(args.reset);
    return Query.syncStatus(undefined, {}, ctx);
  },
};
