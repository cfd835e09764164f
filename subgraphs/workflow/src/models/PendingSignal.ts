/**
 * A signal that reached a run before the run waited for it (`signalRun` or a
 * `workflow.run.signal` event). It is kept on the run, in arrival order, until a step waits for
 * its name (then it is that step's output), it expires, or the run ends.
 */
export interface PendingSignal {
  name: string;
  payload: unknown;
  /** When the signal arrived. */
  at: Date;
  /** After this the signal is never consumed (and is dropped when the run is next changed). */
  expiresAt: Date;
}
