import type { WorkflowSpec } from '../definitions/types';
import type { PendingSignal } from '../models/PendingSignal';
import type { WorkflowRunDoc } from '../models/WorkflowRun';

/** How long and how many signals a run keeps before a step waits for them. */
export interface PendingSignalOptions {
  /**
   * Signals a run keeps at most; one more is refused (`TOO_MANY_PENDING_SIGNALS`) and the kept
   * ones stay as they are (nothing accepted is ever dropped to make room).
   * @default 16
   */
  maxPending: number;
  /**
   * How long a signal waits for a step that waits for its name; an expired signal is never
   * consumed. A signal also ends with its run, whichever comes first.
   * @default 600000 (10 minutes)
   */
  ttlMs: number;
}

/** Defaults of {@link PendingSignalOptions}. */
export const defaultPendingSignalOptions = {
  maxPending: 16,
  ttlMs: 10 * 60_000,
} as const satisfies PendingSignalOptions;

/** Throws "expected …, but got: X" on options that cannot work. */
export function validatePendingSignalOptions(options: PendingSignalOptions): PendingSignalOptions {
  const { maxPending, ttlMs } = options;
  if (!Number.isInteger(maxPending) || maxPending < 1)
    throw new TypeError(
      `pendingSignals.maxPending: expected a positive integer, but got: ${String(maxPending)}`,
    );
  if (!Number.isInteger(ttlMs) || ttlMs < 1)
    throw new TypeError(
      `pendingSignals.ttlMs: expected a positive integer (ms), but got: ${String(ttlMs)}`,
    );
  return options;
}

/** Drops the signals that expired by `now`; returns them (oldest first) for the caller to note. */
export function dropExpiredSignals(state: WorkflowRunDoc, now: Date): PendingSignal[] {
  const pending = state.pendingSignals ?? [];
  const isLive = (signal: PendingSignal) => new Date(signal.expiresAt).getTime() > now.getTime();
  state.pendingSignals = pending.filter(isLive);
  return pending.filter((signal) => !isLive(signal));
}

/**
 * Keeps a signal for a later step (last in arrival order); false when the run already keeps
 * `maxPending` signals. Drop expired ones first.
 */
export function keepSignal(state: WorkflowRunDoc, signal: PendingSignal, maxPending: number) {
  const pending = state.pendingSignals ?? [];
  if (pending.length >= maxPending) return false;
  state.pendingSignals = [...pending, signal];
  return true;
}

/** Removes and returns the oldest unexpired signal with this name, if any. */
export function takePendingSignal(
  state: WorkflowRunDoc,
  name: string,
  now: Date,
): PendingSignal | undefined {
  const pending = state.pendingSignals ?? [];
  const index = pending.findIndex(
    (signal) => signal.name === name && new Date(signal.expiresAt).getTime() > now.getTime(),
  );
  if (index < 0) return undefined;
  const [taken] = pending.splice(index, 1);
  state.pendingSignals = pending;
  return taken;
}

/** The signal names a definition's steps wait for (`event.wait`), or `any` when one is computed. */
export type WaitedSignals = { kind: 'names'; names: ReadonlySet<string> } | { kind: 'any' };

/**
 * What signals steps of this definition can wait for. Only top-level `event.wait` steps suspend
 * (parallel branches and compensations cannot); a name given as an expression (`=…`) is only
 * known at run time, so such a definition accepts any name.
 */
export function waitedSignals(spec: WorkflowSpec): WaitedSignals {
  const names = new Set<string>();
  for (const step of spec.steps) {
    if (step.type !== 'action' || step.action !== 'event.wait') continue;
    const name = step.input?.signal;
    if (typeof name !== 'string') continue;
    if (name.startsWith('=')) return { kind: 'any' };
    names.add(name);
  }
  return { kind: 'names', names };
}

/** Whether a step of the definition may wait for a signal of this name. */
export const isWaitedSignal = (waited: WaitedSignals, name: string) =>
  waited.kind === 'any' || waited.names.has(name);
