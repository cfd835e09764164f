import type { RunStatus } from '../api/types';

/** A run as the success-rate series needs it. */
export interface FinishedRun {
  id: string;
  status: RunStatus;
  finishedAt: string | null;
}

/**
 * Success rate per time bucket of the finished runs: `workflowAnalytics` gives one overall rate,
 * so the series over time is computed here from the newest runs. The bucket grows with the span
 * so the chart keeps about 24 points.
 */
export function successSeries(runs: FinishedRun[]): { times: number[]; rates: number[] } {
  const finished = runs.filter((run) => run.finishedAt);
  if (finished.length === 0) return { times: [], rates: [] };
  const stamps = finished.map((run) => Date.parse(run.finishedAt!) / 1000);
  const min = Math.min(...stamps);
  const span = Math.max(...stamps) - min;
  const bucket = Math.max(60, Math.ceil(span / 24 / 60) * 60);
  const buckets = new Map<number, { ok: number; all: number }>();
  finished.forEach((run, index) => {
    const key = min + Math.floor((stamps[index]! - min) / bucket) * bucket;
    const entry = buckets.get(key) ?? { ok: 0, all: 0 };
    entry.all++;
    if (run.status === 'SUCCEEDED') entry.ok++;
    buckets.set(key, entry);
  });
  const times = [...buckets.keys()].sort((a, b) => a - b);
  return { times, rates: times.map((time) => buckets.get(time)!.ok / buckets.get(time)!.all) };
}
