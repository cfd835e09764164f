import type { Logger } from '../../../../lib/logging';
import type { WorkflowRunDoc, WorkflowRunModel } from '../models/WorkflowRun';
import { EXECUTE_COMMAND, RunConflictError, type RunStore } from './runStore';

/** Options of {@link createTimerPoller}. */
export interface TimerPollerOptions {
  runs: WorkflowRunModel;
  store: RunStore;
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
  const { runs, store, logger, intervalMs = 500, batchSize = 100 } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

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
