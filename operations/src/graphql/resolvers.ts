import { DateTimeScalar, type BaseContext } from '../../../lib/graphql';
import type { DomainTopic, TopicNames } from '../../../lib/kafka';
import type { DeadLetterEntry, EventTransport } from '../../../lib/events';
import type { ParkedEventStore } from '../operations/parkedEvents';
import type { ReplayJobs } from '../operations/replayJobs';
import type { ConsumerGroupLag } from '../operations/consumerLag';
import { listDeadLetters, redriveDeadLetters } from '../operations';
import { parkedEventResolvers } from './parkedEvents';
import { replayJobResolvers } from './replayJobs';

/** What the operations resolvers act on. */
export interface OperationsDeps {
  /** The role's event transport (reads, rewinds, publishing). */
  transport: EventTransport;
  topics: TopicNames;
  /** This process's replay jobs. */
  replayJobs: ReplayJobs;
  /** Events the roles' outboxes set aside, in their databases. */
  parkedEvents: ParkedEventStore;
  /** Lag of this stack's consumer groups (Kafka admin). */
  consumerLag(groupId?: string): Promise<ConsumerGroupLag[]>;
}

/** Context of the operations subgraph. */
export type OperationsContext = BaseContext & OperationsDeps;

type DomainArg = { domain: Uppercase<DomainTopic> };
const domainOf = ({ domain }: DomainArg) => domain.toLowerCase() as DomainTopic;
const dateOrNull = (value: string | undefined) => {
  if (value === undefined) return null;
  const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** Admin resolvers over the dead-letter and replay operations. */
export const resolvers = {
  ...parkedEventResolvers,
  DateTime: DateTimeScalar,
  DeadLetter: {
    originalTimestamp: (entry: DeadLetterEntry) => dateOrNull(entry.originalTimestamp),
    failedAt: (entry: DeadLetterEntry) => dateOrNull(entry.failedAt),
  },
  Query: {
    ...parkedEventResolvers.Query,
    ...replayJobResolvers.Query,
    consumerLag: (_: unknown, args: { groupId?: string | null }, ctx: OperationsContext) =>
      ctx.consumerLag(args.groupId ?? undefined),
    deadLetters: (
      _: unknown,
      args: DomainArg & { type?: string | null; key?: string | null },
      ctx: OperationsContext,
    ) =>
      listDeadLetters(ctx.transport, ctx.topics.deadLetter(domainOf(args)), {
        type: args.type ?? undefined,
        key: args.key ?? undefined,
      }),
  },
  Mutation: {
    ...parkedEventResolvers.Mutation,
    // replayEvents (a background replay job), cancelReplayJob
    ...replayJobResolvers.Mutation,
    redriveDeadLetters: (
      _: unknown,
      args: DomainArg & { type?: string | null; key?: string | null },
      ctx: OperationsContext,
    ) =>
      redriveDeadLetters(ctx.transport, ctx.topics.deadLetter(domainOf(args)), {
        type: args.type ?? undefined,
        key: args.key ?? undefined,
      }),
  },
};
