import { randomUUID } from 'node:crypto';
import { createEvent } from '../../../../lib/events';
import { badUserInput, conflict } from '../../../../lib/graphql';
import { buildSearchTokens } from '../domain/searchTokens';
import { validateRegistration, type RegistrationInput } from '../domain/validateRegistration';
import type { ComponentType } from '../models/Component';
import type { RegistryContext } from '../context';

export const DUPLICATE_KEY = 11000;

/** Throws BAD_USER_INPUT on `field` unless every id is a live component. */
export async function requireComponents(ctx: RegistryContext, ids: string[], field: string) {
  const found = await ctx.componentById.loadMany(ids);
  const missing = ids.filter((_id, i) => !found[i] || found[i] instanceof Error);
  if (missing.length > 0) throw badUserInput(field, `unknown component(s): ${missing.join(', ')}`);
}

/**
 * Registers a component. A new id cannot close a dependency cycle (nothing depends on it yet), so
 * only existence of the dependencies is checked.
 */
export async function registerComponent(
  _: unknown,
  args: { input: RegistrationInput & { type: ComponentType } },
  ctx: RegistryContext,
) {
  const input = validateRegistration(args.input);
  await requireComponents(ctx, input.dependencies, 'input.dependencies');

  const id = randomUUID();
  const event = createEvent({
    type: 'component.registered',
    source: ctx.eventSource,
    subject: id,
    sequence: 1,
    correlationId: ctx.correlationId,
    data: {
      id,
      name: input.name,
      type: args.input.type,
      version: input.version,
      ...(input.description !== undefined && { description: input.description }),
      tags: input.tags,
      dependencies: input.dependencies,
    },
  });
  try {
    // The component and its event are one document write: both commit, or neither does.
    const doc = await ctx.components.create({
      _id: id,
      ...input,
      type: args.input.type,
      searchTokens: buildSearchTokens(input),
      revision: 1,
      pendingEvents: [event],
      eventSequence: 1,
    });
    ctx.relay.kick();
    return { component: doc.toObject(), eventIds: [event.id] };
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) {
      throw conflict(`a component named "${input.name}" already exists`, { field: 'input.name' });
    }
    throw error;
  }
}
