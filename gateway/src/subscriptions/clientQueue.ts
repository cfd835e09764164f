import type { ExecutionResult } from 'graphql';

/** Options of {@link createClientQueue}. */
export interface ClientQueueOptions {
  /** Results waiting to be sent before the client counts as too slow. @default 100 */
  limit?: number;
  /** Called once when the buffer overflows (the caller closes the socket). */
  onOverflow(): void;
  /** Called once when the consumer stops iterating (client completed or disconnected). */
  onReturn(): void;
}

/** A subscriber's bounded buffer between a shared feed and its socket. */
export interface ClientQueue extends AsyncIterableIterator<ExecutionResult> {
  push(result: ExecutionResult): void;
  /** Ends the stream after the buffered results have been read. */
  complete(): void;
  /** Resolves once `count` more results fit without overflowing (or the queue has ended). */
  waitForRoom(count: number): Promise<void>;
  readonly size: number;
}

/**
 * Creates a bounded async queue. Pushing never waits, so one slow socket cannot slow the feed
 * that serves other clients; past `limit` pending results the queue drops its contents and
 * reports an overflow instead of growing without bound.
 */
export function createClientQueue({
  limit = 100,
  onOverflow,
  onReturn,
}: ClientQueueOptions): ClientQueue {
  const items: ExecutionResult[] = [];
  let waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  let ended = false;
  let returned = false;
  /** Replays waiting for room, woken as the socket takes results. */
  let roomWaiters: { count: number; resolve: () => void }[] = [];
  const wakeRoomWaiters = () => {
    if (roomWaiters.length === 0) return;
    const still = roomWaiters.filter((waiter) => {
      if (!ended && items.length + waiter.count > limit) return true;
      waiter.resolve();
      return false;
    });
    roomWaiters = still;
  };
  const done = (): IteratorResult<ExecutionResult> => ({ value: undefined, done: true });
  const finish = () => {
    wakeRoomWaiters();
    const resolve = waiting;
    waiting = undefined;
    resolve?.(done());
  };
  const queue: ClientQueue = {
    get size() {
      return items.length;
    },
    push(result) {
      if (ended) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: result, done: false });
        return;
      }
      items.push(result);
      if (items.length > limit) {
        ended = true;
        items.length = 0;
        wakeRoomWaiters();
        onOverflow();
      }
    },
    complete() {
      ended = true;
      if (items.length === 0) finish();
    },
    waitForRoom(count) {
      if (ended || items.length + count <= limit) return Promise.resolve();
      return new Promise((resolve) => roomWaiters.push({ count, resolve }));
    },
    next() {
      const value = items.shift();
      if (value !== undefined) {
        wakeRoomWaiters();
        return Promise.resolve({ value, done: false });
      }
      if (ended) return Promise.resolve(done());
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      ended = true;
      items.length = 0;
      finish();
      if (!returned) {
        returned = true;
        onReturn();
      }
      return Promise.resolve(done());
    },
    [Symbol.asyncIterator]() {
      return queue;
    },
  };
  return queue;
}
