import type { ComponentDoc } from '../models/Component';
import type { RegistryContext } from '../context';

/** Field resolvers of the registry's `Component` entity. */
export const Component = {
  __resolveReference: (ref: { id: string }, ctx: RegistryContext) => ctx.componentById.load(ref.id),
  id: (doc: ComponentDoc) => doc._id,
  dependencies: async (doc: ComponentDoc, _args: unknown, ctx: RegistryContext) => {
    const deps = await ctx.componentById.loadMany(doc.dependencies);
    return deps.filter((dep): dep is ComponentDoc => dep !== null && !(dep instanceof Error));
  },
};
