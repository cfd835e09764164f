import { badUserInput } from '../../../../lib/graphql';
import { planBuild } from '../domain/buildPlan';
import { predictNext } from '../domain/predictNext';
import type { ComponentInsightDoc } from '../models/ComponentInsight';
import type { IntelligenceContext } from '../context';

/** Most components a plan or feature may name. */
export const MAX_PLAN_COMPONENTS = 500;

/** Checks a list of component ids and that the read model knows each (BAD_USER_INPUT otherwise). */
export async function knownComponents(ids: string[], field: string, ctx: IntelligenceContext) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw badUserInput(field, 'expected at least one component id');
  if (unique.length > MAX_PLAN_COMPONENTS) {
    throw badUserInput(field, `at most ${MAX_PLAN_COMPONENTS} components`);
  }
  const docs = await ctx.insightById.loadMany(unique);
  const unknown = unique.filter(
    (_id, i) => !docs[i] || docs[i] instanceof Error || (docs[i] as ComponentInsightDoc).deleted,
  );
  if (unknown.length > 0) throw badUserInput(field, `unknown component(s): ${unknown.join(', ')}`);
  return unique;
}

/**
 * Plans the build of `ids` and their transitive dependencies from the read model: one query per
 * dependency level, then Kahn levels and the critical path in memory.
 */
export async function planFor(ids: string[], ctx: IntelligenceContext) {
  const known = new Map<string, string[]>();
  let frontier = ids;
  for (let depth = 0; depth < 50 && frontier.length > 0; depth++) {
    const docs = await ctx.insightById.loadMany(frontier);
    const next: string[] = [];
    frontier.forEach((id, i) => {
      const doc = docs[i];
      const deps = doc && !(doc instanceof Error) && !doc.deleted ? doc.dependencies : [];
      known.set(id, deps);
      for (const dep of deps) if (!known.has(dep)) next.push(dep);
    });
    frontier = [...new Set(next)];
  }
  return planBuild([...known.keys()], (id) => known.get(id) ?? []);
}

/** Next components for a project from co-usage baskets (projects and registered dependency sets). */
export async function nextComponents(projectId: string, first: number, ctx: IntelligenceContext) {
  const project = await ctx.projects.findById(projectId).lean();
  const current = new Set(project?.components ?? []);
  if (current.size === 0) return [];
  const ids = [...current];
  const [projects, composites] = await Promise.all([
    ctx.projects
      .find({ components: { $in: ids }, _id: { $ne: projectId } }, { components: 1 })
      .lean(),
    ctx.insights
      .find({ dependencies: { $in: ids }, deleted: { $ne: true } }, { dependencies: 1 })
      .lean(),
  ]);
  const baskets = [
    ...projects.map((p) => p.components),
    ...composites.map((c) => [c._id, ...c.dependencies]),
  ];
  const deleted = new Set(
    (await ctx.insights.find({ deleted: true }, { _id: 1 }).lean()).map((doc) => doc._id),
  );
  return predictNext(current, baskets, first + deleted.size)
    .filter((p) => !deleted.has(p.componentId))
    .slice(0, first)
    .map((p) => ({
      component: { id: p.componentId },
      confidence: p.confidence,
      support: p.support,
    }));
}

/** Likely issues of components: quality failures, blocked pipelines, deprecated dependencies. */
export async function likelyIssues(componentIds: string[], ctx: IntelligenceContext) {
  const issues: {
    component: { id: string };
    kind: string;
    severity: number;
    message: string;
    lastSeenAt: Date | null;
  }[] = [];
  const insights = await ctx.insightById.loadMany(componentIds);
  const depIds = [
    ...new Set(insights.flatMap((doc) => (doc && !(doc instanceof Error) ? doc.dependencies : []))),
  ];
  const deps = new Map(
    (await ctx.insightById.loadMany(depIds)).flatMap((doc) =>
      doc && !(doc instanceof Error) ? [[doc._id, doc] as const] : [],
    ),
  );
  const signals = await ctx.signalsOf.loadMany(componentIds);
  componentIds.forEach((id, i) => {
    const insight = insights[i];
    const own = signals[i] instanceof Error ? [] : (signals[i] ?? []);
    const failures = own.filter((s) => s.type === 'quality.failed');
    if (insight && !(insight instanceof Error) && insight.qualityPassed === false) {
      issues.push({
        component: { id },
        kind: 'QUALITY_FAILED',
        severity: 60 + Math.min(30, 10 * failures.length),
        message: failures[0]?.reason ?? 'the latest quality report failed',
        lastSeenAt: failures[0]?.at ?? null,
      });
    }
    const blocked = own.filter((s) => s.type === 'pipeline.blocked');
    if (blocked.length > 0) {
      issues.push({
        component: { id },
        kind: 'PIPELINE_BLOCKED',
        severity: Math.min(90, 50 + 10 * blocked.length),
        message: blocked[0]!.reason ?? 'a pipeline was blocked on this component',
        lastSeenAt: blocked[0]!.at,
      });
    }
    const deprecated = (insight && !(insight instanceof Error) ? insight.dependencies : [])
      .map((dep) => deps.get(dep))
      .filter((dep) => dep && (dep.deprecated || dep.deleted));
    if (deprecated.length > 0) {
      issues.push({
        component: { id },
        kind: 'DEPRECATED_DEPENDENCY',
        severity: 40,
        message: `depends on deprecated or deleted: ${deprecated.map((d) => d!.name ?? d!._id).join(', ')}`,
        lastSeenAt: null,
      });
    }
  });
  return issues.sort((a, b) => b.severity - a.severity);
}
