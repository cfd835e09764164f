import { randomUUID } from 'node:crypto';
import { commitComponentChange } from '../domain/commitComponentChange';
import { runQualityChecks, type DependencyState } from '../domain/qualityChecks';
import { LIVE, type ComponentDoc, type QualityReportDoc } from '../models/Component';
import type { RegistryContext } from '../context';

/**
 * Runs the quality checks and commits the report as the component's latest together with its
 * `quality.passed`/`quality.failed` event (one document update); the report is then appended to
 * the history collection (if that insert fails, `qualityHistory` still shows it from the component).
 */
export async function validateComponent(_: unknown, args: { id: string }, ctx: RegistryContext) {
  let report: QualityReportDoc | undefined;
  const { doc, events } = await commitComponentChange(ctx, args.id, async (current) => {
    const deps = await ctx.components
      .find({ _id: { $in: current.dependencies }, ...LIVE }, { name: 1, deprecated: 1 })
      .lean<Pick<ComponentDoc, '_id' | 'name' | 'deprecated'>[]>();
    const states = new Map<string, DependencyState>(
      deps.map((dep) => [dep._id, { name: dep.name, deprecated: dep.deprecated }]),
    );
    const outcome = runQualityChecks(current, states);
    report = {
      _id: randomUUID(),
      componentId: current._id,
      revision: current.revision,
      ...outcome,
      createdAt: new Date(),
    };
    const failures = outcome.checks.filter((check) => !check.passed);
    return {
      set: { latestQuality: report },
      events: [
        {
          type: outcome.passed ? 'quality.passed' : 'quality.failed',
          data: {
            componentId: current._id,
            reportId: report._id,
            revision: current.revision,
            score: outcome.score,
            ...(outcome.passed ? { checks: outcome.checks } : { failures }),
          },
        },
      ],
    };
  });
  try {
    await ctx.qualityReports.create(report!);
  } catch (error) {
    ctx.logger.warn({ err: error, componentId: args.id }, 'quality history insert failed');
  }
  return { component: doc, report: report!, eventIds: events.map((event) => event.id) };
}
