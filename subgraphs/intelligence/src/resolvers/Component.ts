import { riskLevel, riskScore } from '../domain/riskScore';
import type { IntelligenceContext } from '../context';

/** A Component reference as the gateway sends it. */
interface ComponentRef {
  id: string;
}

/** Computes a component's impact from the read model (batched through the request's loaders). */
export async function impactOf(id: string, ctx: IntelligenceContext) {
  const [insight, direct, transitive, signals] = await Promise.all([
    ctx.insightById.load(id),
    ctx.directDependents.load(id),
    ctx.transitiveDependents.load(id),
    ctx.signalsOf.load(id),
  ]);
  const score = riskScore({
    transitiveDependents: transitive.length,
    directDependents: direct.length,
    qualityFailures: insight?.qualityFailures ?? 0,
    qualityPassed: insight?.qualityPassed,
    blockedPipelines: signals.filter((s) => s.type === 'pipeline.blocked').length,
    deprecated: insight?.deprecated ?? false,
  });
  return {
    dependents: transitive.map((dependent) => ({ id: dependent })),
    directDependentCount: direct.length,
    transitiveDependentCount: transitive.length,
    riskScore: score,
    riskLevel: riskLevel(score),
  };
}

/** Intelligence's fields on the shared `Component` entity. */
export const Component = {
  __resolveReference: (ref: ComponentRef) => ref,
  insights: async (ref: ComponentRef, _args: unknown, ctx: IntelligenceContext) => {
    const doc = await ctx.insightById.load(ref.id);
    return (
      doc && {
        registeredAt: doc.registeredAt,
        eventCount: doc.eventCount,
        lastEventType: doc.lastEventType,
        lastEventAt: doc.lastEventAt,
        qualityScore: doc.qualityScore ?? null,
        qualityPassed: doc.qualityPassed ?? null,
        qualityFailures: doc.qualityFailures ?? 0,
        usageCount: doc.usageCount ?? 0,
        projectCount: doc.projects?.length ?? 0,
        deprecated: doc.deprecated ?? false,
      }
    );
  },
  impact: (ref: ComponentRef, _args: unknown, ctx: IntelligenceContext) => impactOf(ref.id, ctx),
};
