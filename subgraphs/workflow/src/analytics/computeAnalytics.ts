import type { WorkflowRunDoc } from '../models/WorkflowRun';

/** Figures of one step across runs. */
export interface StepFigures {
  stepId: string;
  executions: number;
  failures: number;
  p50DurationMs: number;
  p95DurationMs: number;
}

/** Success/failure rates, per-step duration percentiles and the bottleneck of one definition. */
export interface WorkflowFigures {
  definitionId: string;
  totalRuns: number;
  finishedRuns: number;
  succeeded: number;
  failed: number;
  successRate: number;
  failureRate: number;
  steps: StepFigures[];
  bottleneckStepId: string | null;
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1]!;
}

const FAILED = new Set(['FAILED', 'COMPENSATED']);

/**
 * Computes analytics in TypeScript from run documents (FerretDB's aggregation is a subset).
 * Durations come from the recorded transitions; the bottleneck is the step with the highest p95.
 */
export function computeAnalytics(definitionId: string, runs: WorkflowRunDoc[]): WorkflowFigures {
  const finished = runs.filter((run) => run.status === 'SUCCEEDED' || FAILED.has(run.status));
  const succeeded = finished.filter((run) => run.status === 'SUCCEEDED').length;
  const failed = finished.length - succeeded;
  const durations = new Map<string, number[]>();
  const failures = new Map<string, number>();
  for (const run of runs) {
    for (const transition of run.transitions ?? []) {
      if (!transition.from) continue;
      const list = durations.get(transition.from) ?? [];
      list.push(transition.durationMs);
      durations.set(transition.from, list);
      if (transition.status === 'failed')
        failures.set(transition.from, (failures.get(transition.from) ?? 0) + 1);
    }
  }
  const steps = [...durations.entries()].map(([stepId, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      stepId,
      executions: values.length,
      failures: failures.get(stepId) ?? 0,
      p50DurationMs: percentile(sorted, 50),
      p95DurationMs: percentile(sorted, 95),
    };
  });
  const bottleneck = [...steps].sort((a, b) => b.p95DurationMs - a.p95DurationMs)[0];
  return {
    definitionId,
    totalRuns: runs.length,
    finishedRuns: finished.length,
    succeeded,
    failed,
    successRate: finished.length ? succeeded / finished.length : 0,
    failureRate: finished.length ? failed / finished.length : 0,
    steps,
    bottleneckStepId: bottleneck?.stepId ?? null,
  };
}
