import { badUserInput, graphqlError, notFound } from '../../../lib/graphql';
import type { DomainTopic } from '../../../lib/kafka';
import {
  ReplayJobConflictError,
  type ReplayJob,
  type ReplayJobs,
  type ReplayJobState,
} from '../operations/replayJobs';
import type { OperationsContext } from './resolvers';

type ReplayJobsContext = OperationsContext;
const replayJobsOf = (ctx: OperationsContext): ReplayJobs => ctx.replayJobs;

type DomainArg = { domain: Uppercase<DomainTopic> };
const MAX_WAIT_SECONDS = 24 * 3600;

/** Resolvers of replay jobs, merged into the operations subgraph's. */
export const replayJobResolvers = {
  Query: {
    replayJob: (_: unknown, args: { id: string }, ctx: ReplayJobsContext) =>
      replayJobsOf(ctx).get(args.id) ?? null,
    replayJobs: (
      _: unknown,
      args: { groupId?: string | null; state?: ReplayJobState | null },
      ctx: ReplayJobsContext,
    ) =>
      replayJobsOf(ctx)
        .list()
        .filter(
          (job: ReplayJob) =>
            (args.groupId == null || job.groupId === args.groupId) &&
            (args.state == null || job.state === args.state),
        ),
  },
  Mutation: {
    replayEvents: (
      _: unknown,
      args: DomainArg & { groupId: string; from: Date; maxWaitSeconds?: number | null },
      ctx: ReplayJobsContext,
    ) => {
      if (!args.groupId.trim()) throw badUserInput('groupId', 'expected a consumer group id');
      const wait = args.maxWaitSeconds;
      if (wait != null && (wait < 1 || wait > MAX_WAIT_SECONDS)) {
        throw badUserInput('maxWaitSeconds', `expected 1 to ${MAX_WAIT_SECONDS}, but got ${wait}`);
      }
      try {
        return replayJobsOf(ctx).start({
          groupId: args.groupId,
          topic: ctx.topics.events(args.domain.toLowerCase() as DomainTopic),
          from: args.from,
          ...(wait != null && { maxWaitMs: wait * 1000 }),
          logger: ctx.logger,
        });
      } catch (error) {
        if (error instanceof ReplayJobConflictError) {
          throw graphqlError('CONFLICT', error.message, { jobId: error.job.id });
        }
        throw error;
      }
    },
    cancelReplayJob: (_: unknown, args: { id: string }, ctx: ReplayJobsContext) => {
      const job = replayJobsOf(ctx).cancel(args.id);
      if (!job) throw notFound('replay job', args.id);
      return job;
    },
  },
};
