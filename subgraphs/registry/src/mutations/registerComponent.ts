import { randomUUID } from 'node:crypto';
import { createEvent } from '../../../../lib/events';
import { badUserInput, conflict } from '../../../../lib/graphql';
import { checkEventContracts } from '../domain/checkEventContracts';
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

/** Where a registration comes from when it is not a client mutation. */
export interface RegistrationOrigin {
  /** The run that asked for the component (`component.registration.requested`); carried on the event. */
  runId?: string;
  /** The command event that caused the registration. */
  causationId?: string;
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
  return createComponent(ctx, randomUUID(), args.input);
}

/**
 * Validates and stores a component under `id` with its `component.registered` event (one document
 * write). BAD_USER_INPUT for an invalid input or unknown dependency, CONFLICT when the name is
 * taken (or, for a caller-chosen id, the id exists: the caller tells the two apart).
 */
export async function createComponent(
  ctx: RegistryContext,
  id: string,
  raw: RegistrationInput & { type: ComponentType },
  origin: RegistrationOrigin = {},
) {
  const input = validateRegistration(raw);
  await requireComponents(ctx, input.dependencies, 'input.dependencies');

  const event = createEvent({
    type: 'component.registered',
    source: ctx.eventSource,
    subject: id,
    sequence: 1,
    correlationId: ctx.correlationId,
    causationId: origin.causationId,
    data: {
      id,
      name: input.name,
      type: raw.type,
      version: input.version,
      ...(input.description !== undefined && { description: input.description }),
      tags: input.tags,
      dependencies: input.dependencies,
      ...(origin.runId && { runId: origin.runId }),
    },
  });
  // An event its contract refuses fails the mutation here, before anything is written.
  checkEventContracts([event]);
  try {
    // The component and its event are one document write: both commit, or neither does.
    const doc = await ctx.components.create({
      _id: id,
      ...input,
      type: raw.type,
      searchTokens: buildSearchTokens(input),
      revision: 1,
      pendingEvents: [event],
      outboxPending: true,
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
