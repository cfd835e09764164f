import type { Logger } from '../../../../lib/logging';
import type { RunCommitModel } from '../models/RunCommit';
import type { WorkflowRunDoc, WorkflowRunModel } from '../models/WorkflowRun';
import { EXECUTE_COMMAND, RunConflictError, type RunStore } from './runStore';

/** Options of {@link createTimerPoller}. */
export interface TimerPollerOptions {
  runs: WorkflowRunModel;
  commits: RunCommitModel;
  store: RunStore;
  /** Published commits older than this are deleted (FerretDB has no TTL indexes). @default 1 day */
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
  const retentionMs = options.commitRetentionMs ?? 24 * 60 * 60 * 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastPurge = Date.now();

  /** Keeps the relay's scan small: published commits are only needed for crash repair, briefly. */
  async function purge() {
    if (Date.now() - lastPurge < 10 * 60 * 1000) return;
    lastPurge = Date.now();
    await commits.deleteMany({
      createdAt: { $lt: new Date(Date.now() - retentionMs) },
      'pendingEvents.0': { $exists: false },
    });
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
