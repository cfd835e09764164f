import { batch, signal, type ReadonlySignal, type Signal } from '@preact/signals-core';
import type { RunSummary } from '../api/types';

/** The runs the board knows, newest first, each in a signal of its own. */
export interface RunsStore {
  /** Run ids, newest first (changes only when a run appears). */
  ids: ReadonlySignal<string[]>;
  /** The run's signal; a row re-renders when its own run changes, not when any run does. */
  get(id: string): ReadonlySignal<RunSummary> | undefined;
  /** Applies a newer state of a run (older sequences than the one shown are ignored). */
  upsert(run: RunSummary): void;
  upsertAll(runs: RunSummary[]): void;
}

/** Rows kept: the gateway's snapshot is at most 100 runs, and the table stays readable. */
export const MAX_RUNS = 500;

/** Creates the store of runs fed by `runsChanged`, the recent-runs query and mutations. */
export function createRunsStore(): RunsStore {
  const ids = signal<string[]>([]);
  const runs = new Map<string, Signal<RunSummary>>();

  function apply(run: RunSummary, newIds: string[]): void {
    const current = runs.get(run.id);
    if (!current) {
      runs.set(run.id, signal(run));
      newIds.push(run.id);
      return;
    }
    // A snapshot after a reconnection, or a late query, must not roll a run back.
    if (run.sequence >= current.value.sequence) current.value = run;
  }

  function commit(newIds: string[]): void {
    if (newIds.length === 0) return;
    const all = [...newIds, ...ids.value].sort((a, b) => {
      const x = runs.get(a)!.value.startedAt;
      const y = runs.get(b)!.value.startedAt;
      return x < y ? 1 : x > y ? -1 : 0;
    });
    for (const dropped of all.splice(MAX_RUNS)) runs.delete(dropped);
    ids.value = all;
  }

  return {
    ids,
    get: (id) => runs.get(id),
    upsert(run) {
      const newIds: string[] = [];
      batch(() => {
        apply(run, newIds);
        commit(newIds);
      });
    },
    upsertAll(list) {
      const newIds: string[] = [];
      batch(() => {
        for (const run of list) apply(run, newIds);
        commit(newIds);
      });
    },
  };
}
