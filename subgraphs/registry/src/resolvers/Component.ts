import type { ComponentDoc } from '../models/Component';
import type { RegistryContext } from '../context';

/** Field resolvers of the registry's `Component` entity; every reference goes through a loader. */
export const Component = {
  __resolveReference: (ref: { id: string }, ctx: RegistryContext) => ctx.componentById.load(ref.id),
  id: (doc: ComponentDoc) => doc._id,
  deprecated: (doc: ComponentDoc) => doc.deprecated ?? false,
  revision: (doc: ComponentDoc) => doc.revision ?? 1,
  usage: (doc: ComponentDoc) => doc.usage ?? { count: 0, projects: [] },
  qualityReport: (doc: ComponentDoc) => doc.latestQuality ?? null,
  dependencies: async (doc: ComponentDoc, _args: unknown, ctx: RegistryContext) => {
    const deps = await ctx.componentById.loadMany(doc.dependencies);
    return deps.filter((dep): dep is ComponentDoc => dep !== null && !(dep instanceof Error));
  },
  dependents: (doc: ComponentDoc, _args: unknown, ctx: RegistryContext) =>
    ctx.dependentsOf.load(doc._id),
};

/** A stored quality report as the API shows it. */
export const QualityReport = {
  id: (report: { _id: string }) => report._id,
};
