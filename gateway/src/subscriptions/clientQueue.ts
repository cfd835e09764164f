import type { ExecutionResult } from 'graphql';

/**
 * Sends results straight to a client's connection (its `next` frames). `flushed` is called once
 * the connection has taken the result (written to the kernel, or the connection is gone);
 * `tooSlow` when the connection no longer keeps up (the writer decides how it measures that).
 */
export interface ResultWriter {
  write(result: ExecutionResult, flushed: () => void, tooSlow: () => void): void;
}

/** Options of {@link createClientQueue}. */
export interface ClientQueueOptions {
  /** Results waiting to be sent before the client counts as too slow. @default 100 */
  limit?: number;
  /** Called once when the buffer overflows (the caller closes the socket). */
  onOverflow(): void;
  /** Called once when the consumer stops iterating (client completed or disconnected). */
  onReturn(): void;
  /**
   * Writes results as they are pushed instead of handing them to the iterator (which then yields
   * nothing and only ends). The writer says when the client is too slow; `limit` then only paces
   * replays (`waitForRoom`).
   */
  writer?: ResultWriter;
}

/** A subscriber's bounded buffer between a shared feed and its socket. */
export interface ClientQueue extends AsyncIterableIterator<ExecutionResult> {
  push(result: ExecutionResult): void;
  /** Ends the stream after the buffered results have been read. */
  complete(): void;
  /** Resolves once `count` more results fit without overflowing (or the queue has ended). */
  waitForRoom(count: number): Promise<void>;
  /** Results pushed and not yet taken by the client's connection. */
  readonly size: number;
}

const done = (): IteratorResult<ExecutionResult> => ({ value: undefined, done: true });

/**
 * Creates a bounded queue. Pushing never waits, so one slow socket cannot slow the feed that
 * serves other clients; past `limit` pending results the queue drops its contents and reports an
 * overflow instead of growing without bound. With a `writer`, results go to the connection at
 * once (one serialization per shared result, no per-client async hop) and the pending count is
 * what the connection has not flushed yet.
 */
export function createClientQueue({
  limit = 100,
  onOverflow,
  onReturn,
  writer,
}: ClientQueueOptions): ClientQueue {
  const items: ExecutionResult[] = [];
  let inFlight = 0;
  let waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  let ended = false;
  let returned = false;
  /** Replays waiting for room, woken as the connection takes results. */
  let roomWaiters: { count: number; resolve: () => void }[] = [];
  const pending = () => items.length + inFlight;
  const wakeRoomWaiters = () => {
    if (roomWaiters.length === 0) return;
    roomWaiters = roomWaiters.filter((waiter) => {
      if (!ended && pending() + waiter.count > limit) return true;
      waiter.resolve();
      return false;
    });
  };
  const finish = () => {
    wakeRoomWaiters();
    const resolve = waiting;
    waiting = undefined;
    resolve?.(done());
  };
  const flushed = () => {
    if (inFlight === 0) return; // reset by an overflow or a return
    inFlight--;
    wakeRoomWaiters();
    // Completion follows the last result: graphql-ws sends `complete` when the iterator ends.
    if (ended && inFlight === 0 && items.length === 0) finish();
  };
  const overflow = () => {
    if (returned || (ended && items.length === 0 && inFlight === 0)) return;
    ended = true;
    items.length = 0;
    inFlight = 0;
    wakeRoomWaiters();
    onOverflow();
  };
  const queue: ClientQueue = {
    get size() {
      return pending();
    },
    push(result) {
      if (ended) return;
      if (writer) {
        inFlight++;
        writer.write(result, flushed, overflow);
        return;
      }
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: result, done: false });
        return;
      }
      items.push(result);
      if (items.length > limit) overflow();
    },
    complete() {
      ended = true;
      if (items.length === 0 && inFlight === 0) finish();
    },
    waitForRoom(count) {
      if (ended || pending() + count <= limit) return Promise.resolve();
      return new Promise((resolve) => roomWaiters.push({ count, resolve }));
    },
    next() {
      const value = items.shift();
      if (value !== undefined) {
        wakeRoomWaiters();
        return Promise.resolve({ value, done: false });
      }
      if (ended && inFlight === 0) return Promise.resolve(done());
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      ended = true;
      items.length = 0;
      inFlight = 0;
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
