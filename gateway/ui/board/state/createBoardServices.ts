import { signal, type ReadonlySignal } from '@preact/signals';
import { createLiveClient, type LiveClient } from '../api/createLiveClient';
import { RECENT_RUNS, RUNS_CHANGED } from '../api/documents';
import { graphqlRequest } from '../api/graphqlRequest';
import type { RunEvent, RunSummary } from '../api/types';
import { createRunsStore, type RunsStore } from './createRunsStore';
import { authorizationHeader } from './token';

/** What every view shares: one socket, the runs it keeps up to date, and their errors. */
export interface BoardServices {
  live: LiveClient;
  runs: RunsStore;
  /** The last error of the runs feed or the recent-runs query (null once they work again). */
  runsError: ReadonlySignal<string | null>;
  /** Bumped on each runs event: views that derive from runs (approvals) refetch on it. */
  runsEvents: ReadonlySignal<number>;
  dispose(): void;
}

/** Recent runs loaded besides the feed: `runsChanged` snapshots only active runs. */
const RECENT_RUNS_COUNT = 50;

/**
 * Connects the board: the recent runs (finished ones included), then `runsChanged` — a snapshot of
 * the active runs, then every event. After a reconnection the recent runs are fetched again, since
 * runs that ended while the socket was down are not in the new snapshot.
 */
export function createBoardServices(): BoardServices {
  const live = createLiveClient({ authorization: authorizationHeader });
  const runs = createRunsStore();
  const runsError = signal<string | null>(null);
  const runsEvents = signal(0);

  const loadRecent = async (): Promise<void> => {
    try {
      const data = await graphqlRequest<{ workflowRuns: { nodes: RunSummary[] } }>(RECENT_RUNS, {
        first: RECENT_RUNS_COUNT,
      });
      runs.upsertAll(data.workflowRuns.nodes);
      runsError.value = null;
    } catch (error) {
      runsError.value = `recent runs: ${(error as Error).message}`;
    }
  };
  void loadRecent();

  const stopFeed = live.feed<{ runsChanged: RunEvent }>({
    query: RUNS_CHANGED,
    variables: {},
    onData: ({ runsChanged }) => {
      runs.upsert(runsChanged.run);
      runsEvents.value++;
      runsError.value = null;
    },
    onError: (errors) => {
      runsError.value = `live runs: ${errors.map((e) => e.message).join('; ')}`;
    },
  });
  const stopReconnected = live.onReconnected(() => void loadRecent());

  return {
    live,
    runs,
    runsError,
    runsEvents,
    dispose() {
      stopReconnected();
      stopFeed();
      live.dispose();
    },
  };
}
