import { useEffect, useMemo, useRef } from 'preact/hooks';
import { RUN_COMPONENTS } from '../api/documents';
import { graphqlRequest } from '../api/graphqlRequest';
import type { RunComponent } from '../api/types';
import type { BoardServices } from '../state/createBoardServices';
import { createRunFeed } from '../state/createRunFeed';
import { RunActions } from './RunActions';
import { RunComponents } from './RunComponents';
import { RunStatusBadge } from './RunStatusBadge';
import { StageTimeline } from './StageTimeline';
import { formatTime } from './format';
import { useAsync } from './useAsync';

/** Components are refetched at most this often while events stream (a burst → one query). */
const COMPONENTS_REFRESH_MS = 500;

/** One run: its live events, stages, step attempts and compensations, components, actions. */
export function RunDetail({ services, runId }: { services: BoardServices; runId: string }) {
  const components = useAsync(
    () =>
      graphqlRequest<{ workflowRun: { components: RunComponent[] } | null }>(RUN_COMPONENTS, {
        id: runId,
      }).then((data) => data.workflowRun?.components ?? []),
    [runId],
  );
  // The feed outlives renders; it calls the latest reload through this ref.
  const reloadComponents = useRef(components.reload);
  reloadComponents.current = components.reload;
  const refresh = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const feed = useMemo(
    () =>
      createRunFeed(services.live, runId, () => {
        if (refresh.current) return;
        refresh.current = setTimeout(() => {
          refresh.current = undefined;
          reloadComponents.current();
        }, COMPONENTS_REFRESH_MS);
      }),
    [services.live, runId],
  );
  useEffect(
    () => () => {
      feed.stop();
      clearTimeout(refresh.current);
    },
    [feed],
  );
  const run = feed.run.value ?? services.runs.get(runId)?.value;

  return (
    <section
      class="run-detail"
      aria-labelledby="run-detail-title"
      data-run-id={runId}
      data-cursor={feed.lastCursor.value ?? ''}
    >
      <h2 id="run-detail-title">
        Run <code>{runId}</code>
      </h2>
      {feed.error.value && (
        <p role="alert" class="error">
          {feed.error.value}
        </p>
      )}
      {!run ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd data-testid="detail-status">
              <RunStatusBadge status={run.status} />
              {feed.ended.value && <span class="muted"> (feed complete)</span>}
            </dd>
            <dt>Definition</dt>
            <dd>
              {run.definitionId}@{run.definitionVersion}
            </dd>
            <dt>Current stage</dt>
            <dd>{run.currentStepId ?? '–'}</dd>
            <dt>Started</dt>
            <dd>{formatTime(run.startedAt)}</dd>
            <dt>Finished</dt>
            <dd>{formatTime(run.finishedAt)}</dd>
            {run.error && (
              <>
                <dt>Error</dt>
                <dd class="error">{run.error}</dd>
              </>
            )}
          </dl>
          <StageTimeline run={run} />
          <RunActions run={run} />
          <section aria-labelledby="run-steps-title">
            <h3 id="run-steps-title">Steps, retries and compensation</h3>
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {run.steps.map((step) => (
                  <tr key={step.stepId} data-step={step.stepId}>
                    <th scope="row">{step.stepId}</th>
                    <td>{step.status}</td>
                    <td>{step.attempts > 1 ? `${step.attempts} (retried)` : step.attempts}</td>
                    <td class={step.error ? 'error' : undefined}>{step.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <RunComponents components={components} />
        </>
      )}
      <section aria-labelledby="run-events-title">
        <h3 id="run-events-title">Events ({feed.events.value.length})</h3>
        <ol class="events" data-testid="run-events">
          {feed.events.value.map((event) => (
            <li key={event.id} data-kind={event.kind} data-sequence={event.sequence}>
              <span class="muted">#{event.sequence}</span> <strong>{event.kind}</strong>{' '}
              {event.fromStep || event.toStep
                ? `${event.fromStep ?? '∅'} → ${event.toStep ?? '∅'}`
                : (event.stepId ?? '')}{' '}
              {event.message && <span class="muted">— {event.message}</span>}
              <time dateTime={event.at}> {formatTime(event.at)}</time>
            </li>
          ))}
        </ol>
      </section>
    </section>
  );
}
