import {
  computeAnalytics,
  percentile,
} from '../../../subgraphs/workflow/src/analytics/computeAnalytics';
import type { WorkflowRunDoc } from '../../../subgraphs/workflow/src/models/WorkflowRun';

const run = (
  status: WorkflowRunDoc['status'],
  durations: Record<string, number>,
  failed?: string,
) =>
  ({
    status,
    transitions: Object.entries(durations).map(([from, durationMs]) => ({
      from,
      to: null,
      at: new Date(),
      durationMs,
      status: from === failed ? 'failed' : 'success',
    })),
  }) as unknown as WorkflowRunDoc;

describe('computeAnalytics', () => {
  it('should compute rates over finished runs, step percentiles and the bottleneck', () => {
    const figures = computeAnalytics('demo', [
      run('SUCCEEDED', { a: 10, b: 100 }),
      run('SUCCEEDED', { a: 20, b: 300 }),
      run('COMPENSATED', { a: 30, b: 50 }, 'b'),
      run('RUNNING', { a: 40 }),
    ]);
    expect(figures).toMatchObject({
      totalRuns: 4,
      finishedRuns: 3,
      succeeded: 2,
      failed: 1,
      bottleneckStepId: 'b',
    });
    expect(figures.successRate).toBeCloseTo(2 / 3);
    expect(figures.steps.find((s) => s.stepId === 'a')).toEqual({
      stepId: 'a',
      executions: 4,
      failures: 0,
      p50DurationMs: 20,
      p95DurationMs: 40,
    });
    expect(figures.steps.find((s) => s.stepId === 'b')?.failures).toBe(1);
  });

  it('should use nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBe(0);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
  });
});
