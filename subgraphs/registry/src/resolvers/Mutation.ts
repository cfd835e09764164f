import { randomUUID } from 'node:crypto';
import { createEvent } from '../../../../lib/events';
import { badUserInput, conflict } from '../../../../lib/graphql';
import { validateRegistration, type RegistrationInput } from '../domain/validateRegistration';
import type { ComponentType } from '../models/Component';
import type { RegistryContext } from '../context';

const DUPLICATE_KEY = 11000;

/** Root mutation resolvers of the registry. */
export const Mutation = {
  registerComponent: async (
    _: unknown,
    args: { input: RegistrationInput & { type: ComponentType } },
    ctx: RegistryContext,
  ) => {
    const input = validateRegistration(args.input);
    const found = await ctx.componentById.loadMany(input.dependencies);
    const missing = input.dependencies.filter((_id, i) => !found[i] || found[i] instanceof Error);
    if (missing.length > 0)
      throw badUserInput('input.dependencies', `unknown component(s): ${missing.join(', ')}`);

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
  },
};
