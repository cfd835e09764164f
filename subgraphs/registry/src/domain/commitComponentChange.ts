import type { UpdateQuery } from 'mongoose';
import { createEvent, type CloudEvent } from '../../../../lib/events';
import { conflict, notFound } from '../../../../lib/graphql';
import { LIVE, type ComponentDoc } from '../models/Component';
import { checkEventContracts } from './checkEventContracts';
import type { RegistryContext } from '../context';

/** An event the change emits; sequence, ids and envelope are filled in. */
export interface PlannedEvent {
  type: string;
  data: Record<string, unknown>;
}

/** What a change does to the current document: update operators and events to commit with it. */
export interface ChangePlan {
  set?: Record<string, unknown>;
  inc?: Record<string, number>;
  addToSet?: Record<string, unknown>;
  events: PlannedEvent[];
}

const ATTEMPTS = 5;

/**
 * Applies a change and its events in one single-document update, the outbox way: the filter
 * compares `eventSequence` (compare-and-set), so a concurrent change makes us re-read and re-plan
 * instead of interleaving. `plan` sees the fresh document and may throw (CONFLICT, BAD_USER_INPUT)
 * before anything is written; so does an event its contract refuses (BAD_USER_INPUT).
 */
export function commitComponentChange(
  ctx: RegistryContext,
  id: string,
  plan: (doc: ComponentDoc) => ChangePlan | Promise<ChangePlan>,
): Promise<{ doc: ComponentDoc; events: CloudEvent[] }> {
  return ctx.changes.run(id, () => attemptChange(ctx, id, plan));
}

async function attemptChange(
  ctx: RegistryContext,
  id: string,
  plan: (doc: ComponentDoc) => ChangePlan | Promise<ChangePlan>,
): Promise<{ doc: ComponentDoc; events: CloudEvent[] }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await ctx.components.findOne({ _id: id, ...LIVE }).lean<ComponentDoc>();
    if (!current) throw notFound('Component', id);
    const change = await plan(current);
    if (change.events.length === 0 && !change.set && !change.inc && !change.addToSet) {
      return { doc: current, events: [] };
    }
    const events = change.events.map((event, index) =>
      createEvent({
        type: event.type,
        source: ctx.eventSource,
        subject: id,
        sequence: current.eventSequence + index + 1,
        correlationId: ctx.correlationId,
        data: event.data,
      }),
    );
    // An event its contract refuses fails the change (BAD_USER_INPUT) before anything is written.
    checkEventContracts(events);
    const update: UpdateQuery<ComponentDoc> = {
      $set: {
        ...change.set,
        updatedAt: new Date(),
        ...(events.length > 0 && { outboxPending: true }),
      },
      $inc: { ...change.inc, eventSequence: events.length },
      $push: { pendingEvents: { $each: events } },
      ...(change.addToSet && { $addToSet: change.addToSet }),
    };
    const doc = await ctx.components
      .findOneAndUpdate({ _id: id, eventSequence: current.eventSequence, ...LIVE }, update, {
        returnDocument: 'after',
        timestamps: false,
      })
      .lean<ComponentDoc>();
    if (doc) {
      ctx.relay.kick();
      ctx.componentById.clear(id).prime(id, doc);
      return { doc, events };
    }
  }
  throw conflict(`component ${id} is changing concurrently; retry`, { id });
}
