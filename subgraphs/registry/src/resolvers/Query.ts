import { badUserInput } from '../../../../lib/graphql';
import type { ComponentDoc } from '../models/Component';
import type { RegistryContext } from '../context';

/** Root query resolvers of the registry. */
export const Query = {
  component: (_: unknown, args: { id: string }, ctx: RegistryContext) =>
    ctx.componentById.load(args.id),
  components: async (_: unknown, args: { first: number }, ctx: RegistryContext) => {
    if (args.first < 1 || args.first > 500) throw badUserInput('first', 'expected 1 to 500');
    const docs = await ctx.components
      .find()
      .sort({ createdAt: -1, _id: 1 })
      .limit(args.first)
      .lean<ComponentDoc[]>();
    for (const doc of docs) ctx.componentById.prime(doc._id, doc);
    return docs;
  },
};
