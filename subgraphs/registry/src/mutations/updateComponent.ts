import { conflict } from '../../../../lib/graphql';
import { createsCycle } from '../domain/dependencyGraph';
import { commitComponentChange } from '../domain/commitComponentChange';
import { buildSearchTokens } from '../domain/searchTokens';
import { validateUpdate, type UpdateFields } from '../domain/validateUpdate';
import { LIVE, type ComponentDoc } from '../models/Component';
import type { RegistryContext } from '../context';
import { requireComponents } from './registerComponent';

/** Input of `updateComponent`. */
export interface UpdateComponentInput extends UpdateFields {
  id: string;
  /** The revision the client read; a different current revision fails with CONFLICT. */
  expectedRevision: number;
}

/** Updates a component under optimistic concurrency and emits `component.updated` with the changes. */
export async function updateComponent(
  _: unknown,
  { input }: { input: UpdateComponentInput },
  ctx: RegistryContext,
) {
  const { doc, events } = await commitComponentChange(ctx, input.id, async (current) => {
    if (current.revision !== input.expectedRevision) {
      throw conflict(
        `component ${input.id} is at revision ${current.revision}, not ${input.expectedRevision}`,
        { id: input.id, currentRevision: current.revision },
      );
    }
    const changes = validateUpdate(current, input);
    if (changes.dependencies) {
      await requireComponents(ctx, changes.dependencies, 'input.dependencies');
      const dependenciesOf = async (ids: string[]) => {
        const docs = await ctx.components
          .find({ _id: { $in: ids }, ...LIVE }, { dependencies: 1 })
          .lean<Pick<ComponentDoc, '_id' | 'dependencies'>[]>();
        return new Map(docs.map((dep) => [dep._id, dep.dependencies]));
      };
      if (await createsCycle(current._id, changes.dependencies, dependenciesOf)) {
        throw conflict('the new dependencies would create a dependency cycle', {
          field: 'input.dependencies',
        });
      }
    }
    if (Object.keys(changes).length === 0) return { events: [] };
    const next = { ...current, ...changes };
    return {
      set: {
        ...changes,
        ...((changes.tags || 'description' in changes) && {
          searchTokens: buildSearchTokens(next),
        }),
      },
      inc: { revision: 1 },
      events: [
        {
          type: 'component.updated',
          data: {
            id: current._id,
            version: next.version,
            revision: current.revision + 1,
            changes: JSON.parse(JSON.stringify(changes)) as Record<string, unknown>,
          },
        },
      ],
    };
  });
  return { component: doc, eventIds: events.map((event) => event.id) };
}
