import type { IntelligenceContext } from '../context';

/** Events shown in a project context. */
const RECENT_EVENTS = 20;

/** A project's context; an unknown project is an empty context at version 0. */
export async function projectContext(projectId: string, ctx: IntelligenceContext) {
  const [doc, recent] = await Promise.all([
    ctx.projects.findById(projectId).lean(),
    ctx.signals.find({ projectId }).sort({ at: -1 }).limit(RECENT_EVENTS).lean(),
  ]);
  const components = doc?.components ?? [];
  const insights = await ctx.insightById.loadMany(components);
  const byType = new Map<string, string[]>();
  components.forEach((id, i) => {
    const insight = insights[i];
    const type = (insight && !(insight instanceof Error) && insight.type) || 'UNKNOWN';
    byType.set(type, [...(byType.get(type) ?? []), id]);
  });
  return {
    projectId,
    version: doc?.version ?? 0,
    components: components.map((id) => ({ id })),
    componentsByType: [...byType].map(([type, ids]) => ({
      type,
      count: ids.length,
      components: ids.map((id) => ({ id })),
    })),
    recentEvents: recent.map((signal) => ({
      id: signal._id,
      type: signal.type,
      componentId: signal.componentId ?? null,
      at: signal.at,
    })),
    style: doc?.style ?? {},
    styleEpoch: doc?.styleEpoch ?? 0,
    decisions: doc?.decisions ?? [],
    updatedAt: doc?.updatedAt ?? null,
  };
}
