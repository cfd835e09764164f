import type { WorkflowContext } from '../context';
import { TERMINAL_STATUSES } from '../models/WorkflowRun';
import { toView, type ProgressEventView } from '../services/progressQueries';
import { matchingRunSnapshots, type RunFilterInput } from './Query';

/** How often the in-process subscriptions poll the stored feed. */
export const SUBSCRIPTION_POLL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `runProgress` for direct, in-process use of the subgraph schema: the snapshot, then every
 * stored event after it (or after `after`) in order, polled from run_events so events of every
 * engine instance are seen; completes after the terminal event. The gateway does not use this:
 * it serves the field from Kafka and resolves each event through `runProgressEvent`.
 */
async function* runProgress(
  args: { runId: string; after?: string | null },
  ctx: WorkflowContext,
): AsyncGenerator<{ runProgress: ProgressEventView }> {
  const snapshot = await ctx.progress.snapshot(args.runId);
  if (!snapshot) return;
  yield { runProgress: snapshot };
  let cursor = args.after ?? snapshot.cursor;
  if (!args.after && TERMINAL_STATUSES.includes(snapshot.status)) return;
  for (;;) {
    const events = await ctx.progress.list(args.runId, cursor, 100);
    for (const event of events) {
      yield { runProgress: event };
      cursor = event.cursor;
      if (event.kind === 'COMPLETED') return;
    }
    if (events.length === 0) await sleep(SUBSCRIPTION_POLL_MS);
  }
}

/** `runsChanged` in-process: snapshots of matching runs, then their events from subscription time on. */
async function* runsChanged(
  args: { filter?: RunFilterInput | null },
  ctx: WorkflowContext,
): AsyncGenerator<{ runsChanged: ProgressEventView }> {
  let since = new Date();
  for (const snapshot of await matchingRunSnapshots(args, ctx)) yield { runsChanged: snapshot };
  const seen = new Set<string>();
  for (;;) {
    const docs = await ctx.progress.since(since);
    for (const doc of docs) {
      if (seen.has(doc._id)) continue;
      seen.add(doc._id);
      if (args.filter?.definitionId && doc.definitionId !== args.filter.definitionId) continue;
      if (args.filter?.status?.length && !args.filter.status.includes(doc.status)) continue;
      yield { runsChanged: toView(doc) };
    }
    const last = docs[docs.length - 1];
    // Keep a small overlap: events of one instant may be committed slightly out of order.
    if (last) since = new Date(new Date(last.at).getTime() - 1000);
    if (seen.size > 10_000) seen.clear();
    await sleep(SUBSCRIPTION_POLL_MS);
  }
}

/** Subscription resolvers. */
export const Subscription = {
  runProgress: {
    subscribe: (_: unknown, args: { runId: string; after?: string | null }, ctx: WorkflowContext) =>
      runProgress(args, ctx),
  },
  runsChanged: {
    subscribe: (_: unknown, args: { filter?: RunFilterInput | null }, ctx: WorkflowContext) =>
      runsChanged(args, ctx),
  },
};
