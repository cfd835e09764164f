import { computeAnalytics } from '../analytics/computeAnalytics';
import type { WorkflowContext } from '../context';
import type { WorkflowDefinitionDoc } from '../models/WorkflowDefinition';
import {
  RUN_STATUSES,
  TERMINAL_STATUSES,
  type RunStatus,
  type WorkflowRunDoc,
} from '../models/WorkflowRun';
import { findDefinitionVersion } from '../services/createRunCommands';
import { listDeliveries, type DeliveryFilter } from '../webhooks';

const ACTIVE_STATUSES = RUN_STATUSES.filter((status) => !TERMINAL_STATUSES.includes(status));

/** `RunFilter` input. */
export interface RunFilterInput {
  definitionId?: string | null;
  status?: RunStatus[] | null;
}

const encodePage = (run: WorkflowRunDoc) =>
  Buffer.from(`${new Date(run.startedAt).toISOString()}|${run._id}`).toString('base64url');

function decodePage(cursor: string): { startedAt: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const startedAt = new Date(at ?? '');
  return id && !Number.isNaN(startedAt.getTime()) ? { startedAt, id } : null;
}

/** Root query resolvers. */
export const Query = {
  plugins: (_: unknown, __: unknown, ctx: WorkflowContext) => ctx.plugins.list(),
  circuitBreakers: (_: unknown, __: unknown, ctx: WorkflowContext) =>
    ctx.breakers.list().map(({ counts, ...view }) => ({ ...view, ...counts })),
  webhookDeliveries: (
    _: unknown,
    args: { filter?: DeliveryFilter | null; first?: number | null; after?: string | null },
    ctx: WorkflowContext,
  ) => listDeliveries(ctx.webhookDeliveries, args),
  workflowDefinitions: (_: unknown, args: { id?: string | null }, ctx: WorkflowContext) =>
    ctx.definitions
      .find(args.id ? { definitionId: args.id } : {})
      .sort({ definitionId: 1, version: 1 })
      .lean<WorkflowDefinitionDoc[]>()
      .exec(),
  workflowDefinition: (
    _: unknown,
    args: { id: string; version?: string | null },
    ctx: WorkflowContext,
  ) => findDefinitionVersion(ctx.definitions, args.id, args.version),
  workflowRun: (_: unknown, args: { id: string }, ctx: WorkflowContext) =>
    ctx.runById.load(args.id),
  workflowRuns: async (
    _: unknown,
    args: { filter?: RunFilterInput | null; first?: number | null; after?: string | null },
    ctx: WorkflowContext,
  ) => {
    const first = Math.min(Math.max(args.first ?? 20, 1), 200);
    const query: Record<string, unknown> = {};
    if (args.filter?.definitionId) query.definitionId = args.filter.definitionId;
    if (args.filter?.status?.length) query.status = { $in: args.filter.status };
    const page = args.after ? decodePage(args.after) : null;
    if (page)
      query.$or = [
        { startedAt: { $lt: page.startedAt } },
        { startedAt: page.startedAt, _id: { $lt: page.id } },
      ];
    const docs = await ctx.runs
      .find(query)
      .sort({ startedAt: -1, _id: -1 })
      .limit(first + 1)
      .lean<WorkflowRunDoc[]>();
    const nodes = docs.slice(0, first);
    return { nodes, nextCursor: docs.length > first ? encodePage(nodes[nodes.length - 1]!) : null };
  },
  pendingTasks: async (_: unknown, args: { assignee?: string | null }, ctx: WorkflowContext) => {
    const query: Record<string, unknown> = { status: 'WAITING', 'wait.kind': 'approval' };
    if (args.assignee) query['wait.assignee'] = args.assignee;
    const runs = await ctx.runs
      .find(query)
      .sort({ startedAt: 1 })
      .limit(500)
      .lean<WorkflowRunDoc[]>();
    return runs
      .filter((run) => run.wait && !run.wait.decision)
      .map((run) => ({
        runId: run._id,
        stepId: run.wait!.stepId,
        assignee: run.wait!.assignee,
        message: run.wait!.message,
        expiresAt: run.wait!.timeoutAt,
      }));
  },
  workflowAnalytics: async (_: unknown, args: { definitionId: string }, ctx: WorkflowContext) => {
    const runs = await ctx.runs
      .find({ definitionId: args.definitionId }, { transitions: 1, status: 1 })
      .sort({ startedAt: -1 })
      .limit(5000)
      .lean<WorkflowRunDoc[]>();
    return computeAnalytics(args.definitionId, runs);
  },
  runProgressEvents: (
    _: unknown,
    args: { runId: string; after?: string | null; first?: number | null },
    ctx: WorkflowContext,
  ) => ctx.progress.list(args.runId, args.after, args.first ?? 100),
  runProgressEvent: (_: unknown, args: { id: string }, ctx: WorkflowContext) =>
    ctx.progress.get(args.id),
  runProgressSnapshot: (_: unknown, args: { runId: string }, ctx: WorkflowContext) =>
    ctx.progress.snapshot(args.runId),
  runsChangedSnapshot: (
    _: unknown,
    args: { filter?: RunFilterInput | null; first?: number | null },
    ctx: WorkflowContext,
  ) => matchingRunSnapshots(args, ctx),
};

/** SNAPSHOTs of the runs a `runsChanged(filter)` subscription watches (see the SDL). */
export async function matchingRunSnapshots(
  args: { filter?: RunFilterInput | null; first?: number | null },
  ctx: WorkflowContext,
) {
  const first = Math.min(Math.max(args.first ?? 100, 1), 500);
  const statuses = args.filter?.status?.length ? args.filter.status : ACTIVE_STATUSES;
  const query: Record<string, unknown> = { status: { $in: statuses } };
  if (args.filter?.definitionId) query.definitionId = args.filter.definitionId;
  const runs = await ctx.runs
    .find(query, { _id: 1 })
    .sort({ startedAt: -1, _id: -1 })
    .limit(first)
    .lean<Pick<WorkflowRunDoc, '_id'>[]>();
  // The run store has the committed state; the runs collection only selects the candidates.
  return ctx.progress.snapshots(
    runs.map((run) => run._id),
    statuses,
  );
}
