import type { WorkflowRunDoc } from '../models/WorkflowRun';
import { RunConflictError, STATE_FIELDS, type RunStore } from './runStore';
import type { Effects } from './stateMachine';

/** A decision made on a state: the next state and what it emits. */
export interface Decision {
  state: WorkflowRunDoc;
  effects: Effects;
}

/** Commits a decision computed from the run's state (see {@link createDecisionCommitter}). */
export type CommitDecision = (
  base: WorkflowRunDoc,
  decide: (base: WorkflowRunDoc) => Decision,
) => Promise<WorkflowRunDoc>;

/** Options of {@link createDecisionCommitter}. */
export interface DecisionCommitterOptions {
  store: RunStore;
  commit: (
    before: WorkflowRunDoc,
    after: WorkflowRunDoc,
    effects: Effects,
  ) => Promise<WorkflowRunDoc>;
  /** Rebases at most this many times before giving the conflict to the caller. @default 10 */
  maxRebases?: number;
}

/**
 * JSON with sorted keys and without null or undefined properties: a state read back from MongoDB
 * may hold `null` where the state that was written held `undefined`, or leave the key out.
 */
const canonical = (value: unknown) =>
  JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || item === undefined) return undefined;
    if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
    const entries = Object.entries(item as Record<string, unknown>);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });

/** Whether `latest` differs from `base` in nothing but the signals it keeps (and counters). */
export function onlySignalsChanged(base: WorkflowRunDoc, latest: WorkflowRunDoc): boolean {
  return STATE_FIELDS.every(
    (field) => field === 'pendingSignals' || canonical(base[field]) === canonical(latest[field]),
  );
}

/**
 * Creates the commit used after an action executed. While a step executes, `signalRun` may keep
 * an early signal on the run (a commit of its own). The step's commit then loses its revision;
 * starting over would execute the action again (a second webhook call, or a non-idempotent step
 * failing as interrupted). When the only change is to the kept signals, the decision is made
 * again on the newer state from the same results instead; a step waiting for a signal then takes
 * the one just kept. Any other concurrent change (a cancel) is the caller's conflict, as before.
 */
export function createDecisionCommitter({
  store,
  commit,
  maxRebases = 10,
}: DecisionCommitterOptions): CommitDecision {
  return async (base, decide) => {
    for (let rebases = 0; ; rebases++) {
      const { state, effects } = decide(base);
      try {
        return await commit(base, state, effects);
      } catch (error) {
        if (!(error instanceof RunConflictError) || rebases >= maxRebases) throw error;
        const latest = await store.load(base._id);
        if (!latest || !onlySignalsChanged(base, latest)) throw error;
        base = latest;
      }
    }
  };
}
