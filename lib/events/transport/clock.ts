/** Time as the transport sees it: real in production, driven by the test in the fast tier. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/** A clock that moves only when told: `sleep` resolves once `advance` passes its deadline. */
export interface ManualClock extends Clock {
  /** Moves time forward, waking every sleeper whose deadline passed. */
  advance(ms: number): Promise<void>;
  /** Sleepers not yet woken. */
  readonly sleepers: number;
}

/** Creates a {@link ManualClock} starting at `start` (ms since epoch). */
export function createManualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let now = start;
  let sleepers: { at: number; wake: () => void }[] = [];
  return {
    now: () => now,
    sleep(ms) {
      return new Promise<void>((wake) => sleepers.push({ at: now + Math.max(0, ms), wake }));
    },
    async advance(ms) {
      now += ms;
      const due = sleepers.filter((s) => s.at <= now);
      sleepers = sleepers.filter((s) => s.at > now);
      for (const s of due) s.wake();
      // Let the woken continuations run before the caller looks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    get sleepers() {
      return sleepers.length;
    },
  };
}
