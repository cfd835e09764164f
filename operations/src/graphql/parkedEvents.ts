import { isRetriable, type CloudEvent } from '../../../lib/events';
import { graphqlError, JSONScalar } from '../../../lib/graphql';
import { DOMAIN_TOPICS, type DomainTopic } from '../../../lib/kafka';
import {
  discardParkedEvent,
  OUTBOX_ROLES,
  ParkedEventError,
  retryParkedEvent,
  type OutboxRole,
  type ParkedEventEntry,
  type ParkedEventStore,
  type PublishEvents,
} from '../operations/parkedEvents';
import type { OperationsContext } from './resolvers';

type Context = OperationsContext;

// The resolvers take the context as `unknown` and read it as the operations context: typed
// contexts would compete with OperationsContext when startSubgraphServer infers the context type
// of the merged resolver map.
const contextOf = (ctx: unknown) => ctx as Context;

const MAX_FIRST = 500;

const roleOf = (value: string | null | undefined): OutboxRole | undefined => {
  if (value == null) return undefined;
  const role = value.toLowerCase() as OutboxRole;
  return OUTBOX_ROLES.includes(role) ? role : undefined;
};

const storeOf = (ctx: Context): ParkedEventStore => ctx.parkedEvents;

/**
 * Publishes through the role's transport (acks=all, validated); a refusal or an unreachable
 * broker is DOWNSTREAM_SERVICE_ERROR (the event stays parked).
 */
function publisherOf(ctx: Context): PublishEvents {
  return async (topic: string, events: CloudEvent[]) => {
    try {
      await ctx.transport.publish(topic, events);
    } catch (error) {
      throw graphqlError(
        'DOWNSTREAM_SERVICE_ERROR',
        `publishing to ${topic} failed: ${(error as Error).message} (the event stays parked)`,
        { retriable: isRetriable(error) },
      );
    }
  };
}

/** Maps the refusals of the parked-event operations to GraphQL errors with extensions.code. */
async function mapped<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ParkedEventError) {
      throw graphqlError(error.code, error.message, error.details);
    }
    throw error;
  }
}

/** The operations resolvers over parked outbox events (admin); merged into `resolvers`. */
export const parkedEventResolvers = {
  JSON: JSONScalar,
  ParkedEvent: {
    role: (entry: ParkedEventEntry) => entry.role.toUpperCase(),
    topic: (entry: ParkedEventEntry) => entry.topic ?? null,
    eventId: (entry: ParkedEventEntry) => entry.event.id,
    eventType: (entry: ParkedEventEntry) => entry.event.type,
    source: (entry: ParkedEventEntry) => entry.event.source,
    subject: (entry: ParkedEventEntry) => entry.event.subject ?? null,
    sequence: (entry: ParkedEventEntry) => entry.event.sequence ?? null,
    errorCode: (entry: ParkedEventEntry) => entry.code ?? null,
    errorMessage: (entry: ParkedEventEntry) => entry.reason,
    parkedAt: (entry: ParkedEventEntry) => entry.at ?? null,
  },
  Query: {
    parkedEvents: (
      _: unknown,
      args: { role?: string | null; first?: number | null },
      ctx: unknown,
    ) => {
      const first = args.first ?? 50;
      if (first < 1 || first > MAX_FIRST) {
        throw graphqlError('BAD_USER_INPUT', `first: between 1 and ${MAX_FIRST}`, {
          field: 'first',
        });
      }
      return storeOf(contextOf(ctx)).list({ role: roleOf(args.role), first });
    },
  },
  Mutation: {
    retryParkedEvent: (_: unknown, args: { id: string; data?: unknown }, context: unknown) =>
      mapped(async () => {
        const ctx = contextOf(context);
        const { entry, topic, event } = await retryParkedEvent({
          store: storeOf(ctx),
          id: args.id,
          ...(args.data != null && { data: args.data }),
          publish: publisherOf(ctx),
          fallbackTopic: (role) =>
            DOMAIN_TOPICS.includes(role as DomainTopic)
              ? ctx.topics?.events(role as DomainTopic)
              : undefined,
          logger: ctx.logger,
        });
        return { id: entry.id, eventId: event.id, topic, event };
      }),
    discardParkedEvent: (_: unknown, args: { id: string }, context: unknown) =>
      mapped(() => {
        const ctx = contextOf(context);
        return discardParkedEvent(storeOf(ctx), args.id, ctx.logger);
      }),
  },
};
