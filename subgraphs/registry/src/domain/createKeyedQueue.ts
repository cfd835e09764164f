/** Runs tasks one at a time per key (and concurrently across keys). */
export interface KeyedQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/**
 * Creates a per-key queue. The registry serialises changes of one component inside a process so
 * concurrent mutations do not spend their compare-and-set retries on each other; the
 * compare-and-set still guards against other processes.
 */
export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(task);
      tails.set(key, next);
      void next
        .catch(() => undefined)
        .finally(() => {
          if (tails.get(key) === next) tails.delete(key);
        });
      return next;
    },
  };
}
