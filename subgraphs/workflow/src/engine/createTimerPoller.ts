import type { Logger } from '../../../../lib/logging';
import type { RunCommitModel } from '../models/RunCommit';
import type { WorkflowRunDoc, WorkflowRunModel } from '../models/WorkflowRun';
import { EXECUTE_COMMAND, RunConflictError, type RunStore } from './runStore';

/** Options of {@link createTimerPoller}. */
export interface TimerPollerOptions {
  runs: WorkflowRunModel;
  commits: RunCommitModel;
  store: RunStore;
  /**
   * Published commits older than this are deleted (FerretDB has no TTL indexes). They are only
   * needed until the run document caught up (milliseconds), and the relay scans the collection.
   * @default 60000
   */
  commitRetentionMs?: number;
  logger: Logger;
  /** @default 500 */
  intervalMs?: number;
  /** Runs woken per pass. @default 100 */
  batchSize?: number;
}

/** Wakes runs whose timer (backoff, delay, timeout) is due by committing an execute command. */
export interface TimerPoller {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Creates the poller. Every engine instance polls; the compare-and-set commit that clears
 * `wakeAt` lets exactly one of them emit the command, which then goes to the run's owner.
 */
export function createTimerPoller(options: TimerPollerOptions): TimerPoller {
  const { runs, commits, store, logger, intervalMs = 500, batchSize = 100 } = options;
  const retentionMs = options.commitRetentionMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastPurge = Date.now();

  /**
   * Keeps the relay's scan small: a published commit is only needed until the run document has
   * caught up with it, so old ones are deleted once the document is at a later revision (the
   * latest commit of each run is always kept for crash repair).
   */
  async function purge() {
    if (Date.now() - lastPurge < 5_000) return;
    lastPurge = Date.now();
    const old = await commits
      .find(
        {
          createdAt: { $lt: new Date(Date.now() - retentionMs) },
          'pendingEvents.0': { $exists: false },
        },
        { runId: 1, revision: 1 },
      )
      .limit(500)
      .lean<{ _id: string; runId: string; revision: number }[]>()
      .exec();
    if (old.length === 0) return;
    const current = new Map(
      (
        await runs
          .find({ _id: { $in: [...new Set(old.map((c) => c.runId))] } }, { revision: 1 })
          .lean<{ _id: string; revision: number }[]>()
          .exec()
      ).map((run) => [run._id, run.revision]),
    );
    const obsolete = old.filter((c) => c.revision < (current.get(c.runId) ?? -1)).map((c) => c._id);
    if (obsolete.length > 0) await commits.deleteMany({ _id: { $in: obsolete } });
  }

  async function pass() {
    const due = await runs
      .find({ wakeAt: { $lte: new Date() } })
      .limit(batchSize)
      .lean<WorkflowRunDoc[]>()
      .exec();
    for (const run of due) {
      try {
        await store.commit(
          run,
          { ...run, wakeAt: null },
          [],
          [
            {
              type: EXECUTE_COMMAND,
              data: { runId: run._id, ...(run.next && !run.wait && { token: run.next.token }) },
            },
          ],
        );
      } catch (error) {
        if (!(error instanceof RunConflictError)) throw error;
        // The document may be behind its commits: loading rolls it forward for the next pass.
        await store.load(run._id);
      }
    }
    await purge();
  }

  return {
    start() {
      timer = setInterval(() => {
        running ??= pass()
          .catch((error: unknown) => logger.warn({ err: error }, 'timer pass failed'))
          .finally(() => (running = undefined));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
