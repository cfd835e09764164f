import { useMemo, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { ANALYTICS } from '../api/documents';
import { graphqlRequest } from '../api/graphqlRequest';
import type { WorkflowAnalytics } from '../api/types';
import { COMPONENT_PIPELINE_ID } from '../state/pipelineStages';
import { successSeries, type FinishedRun } from '../state/successSeries';
import { Chart } from './Chart';
import { formatDuration, formatPercent } from './format';
import { useAsync } from './useAsync';

/** Runs looked at for the success-rate series (the API's maximum page). */
const RUNS_FOR_TREND = 200;

const stageOptions = (stepIds: string[]): Omit<uPlot.Options, 'width' | 'height'> => ({
  scales: { x: { time: false } },
  axes: [{ values: (_u, splits) => splits.map((i) => stepIds[i] ?? '') }, { label: 'ms' }],
  series: [
    {},
    {
      label: 'p50',
      stroke: '#2563eb',
      fill: '#2563eb55',
      paths: uPlot.paths.bars!({ size: [0.35] }),
    },
    {
      label: 'p95',
      stroke: '#b45309',
      fill: '#b4530955',
      paths: uPlot.paths.bars!({ size: [0.35], align: 1 }),
    },
  ],
});

const SUCCESS_OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  scales: {
    // One bucket alone would otherwise be drawn on an axis spanning years.
    x: { range: (_u, min, max) => (min === max ? [min - 3_600, max + 3_600] : [min, max]) },
    y: { range: [0, 1] },
  },
  axes: [{}, { values: (_u, splits) => splits.map((v) => `${Math.round(v * 100)} %`) }],
  series: [{}, { label: 'success rate', stroke: '#15803d', width: 2, points: { show: true } }],
};

/** Per-stage durations (p50/p95) and success rate over time for one definition. */
export function AnalyticsView() {
  const [definitionId, setDefinitionId] = useState(COMPONENT_PIPELINE_ID);
  const [draft, setDraft] = useState(definitionId);
  const analytics = useAsync(
    () =>
      graphqlRequest<{
        workflowAnalytics: WorkflowAnalytics;
        workflowRuns: { nodes: FinishedRun[] };
      }>(ANALYTICS, { definitionId, first: RUNS_FOR_TREND }),
    [definitionId],
  );
  const figures = analytics.data?.workflowAnalytics;
  const steps = figures?.steps ?? [];
  const stageChart = useMemo(() => {
    const ids = steps.map((step) => step.stepId);
    return {
      options: stageOptions(ids),
      data: [
        ids.map((_, index) => index),
        steps.map((step) => step.p50DurationMs),
        steps.map((step) => step.p95DurationMs),
      ] as uPlot.AlignedData,
    };
  }, [figures]);
  const successChart = useMemo(() => {
    const series = successSeries(analytics.data?.workflowRuns.nodes ?? []);
    return [series.times, series.rates] as uPlot.AlignedData;
  }, [analytics.data]);

  return (
    <section aria-labelledby="analytics-title" class="analytics">
      <div class="section-head">
        <h2 id="analytics-title">Analytics</h2>
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            setDefinitionId(draft.trim());
          }}
        >
          <label for="analytics-definition">Definition</label>
          <input
            id="analytics-definition"
            value={draft}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <button type="submit">Show</button>
        </form>
      </div>
      {analytics.error && (
        <p role="alert" class="error">
          {analytics.error}
        </p>
      )}
      {figures && (
        <p data-testid="analytics-summary">
          {figures.finishedRuns} of {figures.totalRuns} runs finished, {figures.succeeded}{' '}
          succeeded, {figures.failed} failed: success rate {formatPercent(figures.successRate)}
          {figures.bottleneckStepId && <>; bottleneck: {figures.bottleneckStepId}</>}.
        </p>
      )}
      <div class="charts">
        <figure>
          <figcaption>Duration per stage (p50 / p95)</figcaption>
          {steps.length > 0 ? (
            <Chart label="Duration per stage" options={stageChart.options} data={stageChart.data} />
          ) : (
            <p class="muted">No finished step yet.</p>
          )}
          <details>
            <summary>Figures</summary>
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Failures</th>
                  <th scope="col">p50</th>
                  <th scope="col">p95</th>
                </tr>
              </thead>
              <tbody>
                {steps.map((step) => (
                  <tr key={step.stepId}>
                    <th scope="row">{step.stepId}</th>
                    <td>{step.executions}</td>
                    <td>{step.failures}</td>
                    <td>{formatDuration(step.p50DurationMs)}</td>
                    <td>{formatDuration(step.p95DurationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </figure>
        <figure>
          <figcaption>Success rate over time (newest {RUNS_FOR_TREND} runs)</figcaption>
          {successChart[0].length > 0 ? (
            <Chart label="Success rate over time" options={SUCCESS_OPTIONS} data={successChart} />
          ) : (
            <p class="muted">No finished run yet.</p>
          )}
        </figure>
      </div>
    </section>
  );
}
