import type { RunSummary } from '../api/types';

/** Id of the built-in definition (subgraphs/workflow/src/builtins/componentPipeline.ts). */
export const COMPONENT_PIPELINE_ID = 'component-generation-pipeline';

/** Its step ids, in order: the stage timeline always shows all six, even those not reached. */
export const PIPELINE_STAGES = [
  'blueprints',
  'style',
  'pages',
  'components',
  'code',
  'quality',
] as const;

/** The stages a run's timeline shows: the pipeline's six, else the steps the run has so far. */
export function stagesOf(run: Pick<RunSummary, 'definitionId' | 'steps'>): string[] {
  if (run.definitionId === COMPONENT_PIPELINE_ID) return [...PIPELINE_STAGES];
  return run.steps.map((step) => step.stepId);
}

/** Where one stage of a run stands, for the timeline. */
export interface StageView {
  stepId: string;
  state: 'pending' | 'active' | 'waiting' | 'done' | 'failed' | 'compensated';
  durationMs: number | null;
  attempts: number;
  error: string | null;
}

const TERMINAL_RUN = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'COMPENSATED']);

/**
 * One run's stages with their state and duration: a finished step's duration is its recorded
 * transition's (the engine's own measure), else finished − started; a running one has none yet.
 */
export function stageViews(run: RunSummary): StageView[] {
  const steps = new Map(run.steps.map((step) => [step.stepId, step]));
  const durations = new Map<string, number>();
  for (const transition of run.transitions)
    if (transition.from) durations.set(transition.from, transition.durationMs);
  return stagesOf(run).map((stepId) => {
    const step = steps.get(stepId);
    const recorded = durations.get(stepId);
    const measured =
      step?.startedAt && step.finishedAt
        ? Date.parse(step.finishedAt) - Date.parse(step.startedAt)
        : null;
    let state: StageView['state'] = 'pending';
    switch (step?.status) {
      case undefined:
      case 'PENDING':
        state = 'pending';
        break;
      case 'STARTED':
        // A started step of a finished run did not finish: the run ended there.
        state = TERMINAL_RUN.has(run.status) ? 'failed' : 'active';
        break;
      case 'WAITING':
        state = 'waiting';
        break;
      case 'SUCCEEDED':
        state = 'done';
        break;
      case 'FAILED':
      case 'NEEDS_ATTENTION':
        state = 'failed';
        break;
      case 'COMPENSATED':
        state = 'compensated';
        break;
    }
    return {
      stepId,
      state,
      durationMs: recorded ?? measured,
      attempts: step?.attempts ?? 0,
      error: step?.error ?? null,
    };
  });
}
