import { conflict } from '../../../../lib/graphql';
import { commitComponentChange } from '../domain/commitComponentChange';
import { LIVE, type ComponentDoc } from '../models/Component';
import type { RegistryContext } from '../context';

/**
 * Soft-deletes a component: it disappears from every read at once, and the document stays so the
 * outbox relay can still publish `component.deleted`. The name is freed (renamed to
 * `<name>~deleted~<id>`, the original kept in `deletedName`) so it can be registered again.
 * Refused with CONFLICT while live components depend on it, unless `force`.
 */
export async function deleteComponent(
  _: unknown,
  args: { id: string; force: boolean; expectedRevision?: number | null },
  ctx: RegistryContext,
) {
  const { events } = await commitComponentChange(ctx, args.id, async (current) => {
    if (args.expectedRevision != null && current.revision !== args.expectedRevision) {
      throw conflict(
        `component ${args.id} is at revision ${current.revision}, not ${args.expectedRevision}`,
        { id: args.id, currentRevision: current.revision },
      );
    }
    const dependents = await ctx.components
      .find({ dependencies: current._id, ...LIVE }, { name: 1 })
      .lean<Pick<ComponentDoc, '_id' | 'name'>[]>();
    if (dependents.length > 0 && !args.force) {
      throw conflict(
        `component ${current.name} has dependents: ${dependents.map((d) => d.name).join(', ')}`,
        { id: args.id, dependents: dependents.map((d) => d._id) },
      );
    }
    return {
      set: {
        deletedAt: new Date(),
        deletedName: current.name,
        name: `${current.name}~deleted~${current._id}`,
      },
      inc: { revision: 1 },
      events: [
        {
          type: 'component.deleted',
          data: {
            id: current._id,
            name: current.name,
            forced: args.force && dependents.length > 0,
            dependents: dependents.map((d) => d._id),
          },
        },
      ],
    };
  });
  ctx.componentById.clear(args.id);
  return { id: args.id, eventIds: events.map((event) => event.id) };
}
