import type { ExecutionResult } from 'graphql';
import { graphqlError } from '../../../lib/graphql';
import type { EventSource } from './eventSource';

/** `extensions.code` of a subscription refused or ended because live events are unavailable. */
export const LIVE_EVENTS_UNAVAILABLE = 'SERVICE_UNAVAILABLE' as const;

/**
 * The message a subscriber receives (as `next` with this error, then `complete`) when live events
 * are unavailable: subscribe again later, with `after` set to the last cursor received to get the
 * missed events replayed from the store.
 */
export function liveEventsUnavailable(): ExecutionResult {
  return {
    errors: [
      graphqlError(
        LIVE_EVENTS_UNAVAILABLE,
        'Live events are unavailable (the gateway is not connected to its event source); ' +
          'subscribe again later, with `after` set to the last cursor you received to replay what you missed',
      ),
    ],
  };
}

/**
 * Calls `done(true)` as soon as the source is ready (on a later microtask, so that the source is
 * not re-entered while it notifies), or `done(false)` after `timeoutMs`; returns the function
 * that cancels the wait (then `done` is not called).
 */
export function whenReady(
  source: EventSource,
  timeoutMs: number,
  done: (ready: boolean) => void,
): () => void {
  let finished = false;
  const finish = (ready: boolean) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    removeListener();
    done(ready);
  };
  const removeListener = source.onReadyChange((ready) => {
    if (ready) queueMicrotask(() => source.ready && finish(true));
  });
  const timer = setTimeout(() => finish(false), timeoutMs);
  timer.unref();
  if (source.ready) queueMicrotask(() => source.ready && finish(true));
  return () => {
    finished = true;
    clearTimeout(timer);
    removeListener();
  };
}
