import type { ReadonlySignal } from '@preact/signals';
import type { RunSummary } from '../api/types';
import type { RunsStore } from '../state/createRunsStore';
import { hrefOf } from '../state/route';
import { RunStatusBadge } from './RunStatusBadge';
import { StageTimeline } from './StageTimeline';
import { formatTime, shortId } from './format';

/** One row, subscribed to its own run only: an event re-renders one row, not the table. */
function RunRow({ run, selected }: { run: ReadonlySignal<RunSummary>; selected: boolean }) {
  const value = run.value;
  return (
    <tr
      data-run-id={value.id}
      data-status={value.status}
      data-sequence={value.sequence}
      data-current-step={value.currentStepId ?? ''}
      aria-selected={selected}
      class={selected ? 'selected' : undefined}
    >
      <th scope="row">
        <a href={hrefOf({ view: 'runs', runId: value.id })} title={value.id}>
          {shortId(value.id)}
        </a>
      </th>
      <td class="col-wide">
        {value.definitionId}
        <span class="muted">@{value.definitionVersion}</span>
      </td>
      <td>
        <RunStatusBadge status={value.status} />
      </td>
      <td>{value.currentStepId ?? '–'}</td>
      <td>
        <StageTimeline run={value} />
      </td>
      <td class="col-wide">{formatTime(value.startedAt)}</td>
    </tr>
  );
}

/** Every known run, newest first, live. */
export function RunsTable({
  runs,
  selectedId,
}: {
  runs: RunsStore;
  selectedId: string | undefined;
}) {
  const ids = runs.ids.value;
  return (
    <div class="table-scroll">
      <table class="runs" aria-label="Runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col" class="col-wide">
              Definition
            </th>
            <th scope="col">Status</th>
            <th scope="col">Current stage</th>
            <th scope="col">Stages</th>
            <th scope="col" class="col-wide">
              Started
            </th>
          </tr>
        </thead>
        <tbody>
          {ids.length === 0 && (
            <tr>
              <td colSpan={6} class="empty">
                No runs yet: start one above.
              </td>
            </tr>
          )}
          {ids.map((id) => {
            const run = runs.get(id);
            return run ? <RunRow key={id} run={run} selected={id === selectedId} /> : null;
          })}
        </tbody>
      </table>
    </div>
  );
}
