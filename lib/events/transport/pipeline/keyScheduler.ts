/** A unit of work for one key. */
export type KeyedTask = () => Promise<void>;

/**
 * Runs tasks with key-level concurrency: tasks of one key strictly one after another in push
 * order, tasks of different keys in parallel, at most `maxInFlight` at a time. A task that fails
 * does not stop its key's queue (the caller turns failures into retries or dead letters first).
 */
export interface KeyScheduler {
  push(key: string, task: KeyedTask): void;
  /** Tasks queued or running. */
  readonly pending: number;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
}

/** Creates a {@link KeyScheduler}. */
export function createKeyScheduler(maxInFlight: number): KeyScheduler {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`expected maxInFlight to be an integer >= 1, but got: ${maxInFlight}`);
  }
  const queues = new Map<string, KeyedTask[]>();
  // Keys with queued work and no running task, in arrival order (fairness between keys).
  const ready: string[] = [];
  const running = new Set<string>();
  let pending = 0;
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (pending > 0) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const pump = () => {
    while (running.size < maxInFlight && ready.length > 0) {
      const key = ready.shift()!;
      const task = queues.get(key)!.shift()!;
      running.add(key);
      void task()
        .catch(() => undefined)
        .then(() => {
          running.delete(key);
          pending--;
          const queue = queues.get(key)!;
          if (queue.length > 0) ready.push(key);
          else queues.delete(key);
          pump();
          settle();
        });
    }
  };

  return {
    push(key, task) {
      pending++;
      const queue = queues.get(key);
      if (queue) queue.push(task);
      else {
        queues.set(key, [task]);
        ready.push(key);
      }
      // A key already running keeps its place: it is re-queued when its current task ends.
      pump();
    },
    get pending() {
      return pending;
    },
    idle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
