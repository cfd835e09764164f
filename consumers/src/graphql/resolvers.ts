import type { Kafka } from 'kafkajs';
import { DateTimeScalar, graphqlError, type BaseContext } from '../../../lib/graphql';
import type { DomainTopic, TopicNames } from '../../../lib/kafka';
import type { DeadLetterEntry, PartitionedConsumer } from '../framework';
import { listDeadLetters, redriveDeadLetters, replayFromTimestamp } from '../operations';

/** What the operations resolvers act on. */
export interface OperationsDeps {
  kafka: Kafka;
  topics: TopicNames;
  /** Consumer groups hosted by this process: a replay stops and restarts them around the rewind. */
  groups: Map<string, PartitionedConsumer>;
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
  DateTime: DateTimeScalar,
  DeadLetter: {
    originalTimestamp: (entry: DeadLetterEntry) => dateOrNull(entry.originalTimestamp),
    failedAt: (entry: DeadLetterEntry) => dateOrNull(entry.failedAt),
  },
  Query: {
    deadLetters: (
      _: unknown,
      args: DomainArg & { type?: string | null; key?: string | null },
      ctx: OperationsContext,
    ) =>
      listDeadLetters(ctx.kafka, ctx.topics.deadLetter(domainOf(args)), {
        type: args.type ?? undefined,
        key: args.key ?? undefined,
      }),
  },
  Mutation: {
    replayEvents: async (
      _: unknown,
      args: DomainArg & { groupId: string; from: Date },
      ctx: OperationsContext,
    ) => {
      const hosted = ctx.groups.get(args.groupId);
      await hosted?.stop();
      try {
        const result = await replayFromTimestamp({
          kafka: ctx.kafka,
          groupId: args.groupId,
          topic: ctx.topics.events(domainOf(args)),
          from: args.from,
        });
        return { ...result, restarted: hosted !== undefined };
      } catch (error) {
        throw graphqlError(
          'CONFLICT',
          `cannot rewind group ${args.groupId}: ${(error as Error).message} (stop its members first)`,
        );
      } finally {
        await hosted?.start();
      }
    },
    redriveDeadLetters: (
      _: unknown,
      args: DomainArg & { type?: string | null; key?: string | null },
      ctx: OperationsContext,
    ) =>
      redriveDeadLetters(ctx.kafka, ctx.topics.deadLetter(domainOf(args)), {
        type: args.type ?? undefined,
        key: args.key ?? undefined,
      }),
  },
};
