import type { RunSummary } from '../api/types';
import { stageViews } from '../state/pipelineStages';
import { formatDuration } from './format';

const STATE_LABELS = {
  pending: 'not reached',
  active: 'running',
  waiting: 'waiting',
  done: 'done',
  failed: 'failed',
  compensated: 'compensated',
} as const;

/** The run's stages left to right with their state and duration; failures carry their error. */
export function StageTimeline({ run }: { run: RunSummary }) {
  return (
    <ol class="timeline" aria-label="Stages">
      {stageViews(run).map((stage) => (
        <li
          key={stage.stepId}
          class={`stage stage-${stage.state}`}
          data-stage={stage.stepId}
          data-state={stage.state}
          title={stage.error ?? undefined}
        >
          <span class="stage-name">{stage.stepId}</span>
          <span class="stage-meta">
            <span class="visually-hidden">{STATE_LABELS[stage.state]}, </span>
            {stage.state === 'pending' ? '' : formatDuration(stage.durationMs)}
            {stage.attempts > 1 ? ` ×${stage.attempts}` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
