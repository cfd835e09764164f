import { batch, signal, type ReadonlySignal } from '@preact/signals';
import type { LiveClient } from '../api/createLiveClient';
import { RUN_PROGRESS } from '../api/documents';
import type { RunEvent, RunSummary } from '../api/types';

/** One run's `runProgress` feed: its events as they stream and the run's latest state. */
export interface RunFeed {
  events: ReadonlySignal<RunEvent[]>;
  run: ReadonlySignal<RunSummary | undefined>;
  /** The cursor of the last event received (what a reconnection resumes after). */
  lastCursor: ReadonlySignal<string | undefined>;
  /** True once the run reached a terminal state (the subscription completed). */
  ended: ReadonlySignal<boolean>;
  error: ReadonlySignal<string | null>;
  stop(): void;
}

/** Events kept in the detail view; a long run's older events stay in `runProgressEvents`. */
export const MAX_FEED_EVENTS = 1_000;

/**
 * Subscribes to `runProgress(runId, after)`: the first message is the run's SNAPSHOT; after a
 * reconnection the feed resumes with `after` = the last cursor, so the gateway replays exactly the
 * events missed (no duplicate, no gap; docs/gateway.md). `onEvent` sees every event (e.g. to
 * refresh the run's components).
 */
export function createRunFeed(
  live: LiveClient,
  runId: string,
  onEvent: (event: RunEvent) => void = () => undefined,
): RunFeed {
  const events = signal<RunEvent[]>([]);
  const run = signal<RunSummary | undefined>(undefined);
  const lastCursor = signal<string | undefined>(undefined);
  const ended = signal(false);
  const error = signal<string | null>(null);
  const stop = live.feed<{ runProgress: RunEvent }>({
    query: RUN_PROGRESS,
    variables: { runId, after: null },
    resumeVariable: 'after',
    cursorOf: (data) => data.runProgress.cursor,
    onData: ({ runProgress: event }) => {
      batch(() => {
        // Sequences only grow; a duplicate would mean a resumed feed replayed what it had.
        const last = events.value.at(-1);
        if (last && event.kind !== 'SNAPSHOT' && event.sequence <= last.sequence) return;
        events.value = [...events.value, event].slice(-MAX_FEED_EVENTS);
        run.value = event.run;
        lastCursor.value = event.cursor;
        error.value = null;
      });
      onEvent(event);
    },
    onError: (errors) => {
      error.value = errors.map((e) => e.message).join('; ');
    },
    onComplete: () => {
      ended.value = true;
    },
  });
  return { events, run, lastCursor, ended, error, stop };
}
