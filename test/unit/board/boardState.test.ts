import type { RunSummary } from '../../../gateway/ui/board/api/types';
import { createRunsStore } from '../../../gateway/ui/board/state/createRunsStore';
import { PIPELINE_STAGES, stageViews } from '../../../gateway/ui/board/state/pipelineStages';
import { successSeries } from '../../../gateway/ui/board/state/successSeries';

const run = (overrides: Partial<RunSummary> = {}): RunSummary => ({
  id: 'run-1',
  definitionId: 'component-generation-pipeline',
  definitionVersion: '1.0.0',
  status: 'RUNNING',
  currentStepId: 'style',
  error: null,
  sequence: 3,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  steps: [
    {
      stepId: 'blueprints',
      status: 'SUCCEEDED',
      attempts: 2,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.500Z',
      error: null,
    },
    {
      stepId: 'style',
      status: 'STARTED',
      attempts: 1,
      startedAt: '2026-01-01T00:00:01.500Z',
      finishedAt: null,
      error: null,
    },
  ],
  transitions: [
    {
      from: 'blueprints',
      to: 'style',
      at: '2026-01-01T00:00:01.500Z',
      durationMs: 1_400,
      status: 'SUCCESS',
    },
  ],
  pendingTask: null,
  ...overrides,
});

describe('stageViews', () => {
  it('should show all six pipeline stages with the recorded duration and retries', () => {
    const views = stageViews(run());
    expect(views.map((view) => view.stepId)).toEqual([...PIPELINE_STAGES]);
    expect(views[0]).toEqual({
      stepId: 'blueprints',
      state: 'done',
      durationMs: 1_400,
      attempts: 2,
      error: null,
    });
    expect(views[1]!.state).toBe('active');
    expect(views.slice(2).every((view) => view.state === 'pending')).toBe(true);
  });

  it('should show a started step of a finished run as failed', () => {
    const views = stageViews(run({ status: 'FAILED' }));
    expect(views[1]!.state).toBe('failed');
  });

  it('should list the steps reached for other definitions', () => {
    expect(stageViews(run({ definitionId: 'other' })).map((view) => view.stepId)).toEqual([
      'blueprints',
      'style',
    ]);
  });
});

describe('createRunsStore', () => {
  it('should keep runs newest first and never roll a run back to an older sequence', () => {
    const store = createRunsStore();
    store.upsert(run({ id: 'a', startedAt: '2026-01-01T00:00:00.000Z' }));
    store.upsert(run({ id: 'b', startedAt: '2026-01-01T00:01:00.000Z' }));
    expect(store.ids.value).toEqual(['b', 'a']);

    store.upsert(run({ id: 'a', sequence: 9, status: 'SUCCEEDED' }));
    store.upsertAll([run({ id: 'a', sequence: 4, status: 'RUNNING' })]);
    expect(store.get('a')!.value).toMatchObject({ sequence: 9, status: 'SUCCEEDED' });
  });

  it('should give each run its own signal, so updating one leaves the list alone', () => {
    const store = createRunsStore();
    store.upsert(run({ id: 'a' }));
    const ids = store.ids.value;
    const signalOfA = store.get('a');
    store.upsert(run({ id: 'a', sequence: 5 }));
    expect(store.ids.value).toBe(ids);
    expect(store.get('a')).toBe(signalOfA);
  });
});

describe('successSeries', () => {
  it('should bucket finished runs by time and ignore unfinished ones', () => {
    const series = successSeries([
      { id: '1', status: 'SUCCEEDED', finishedAt: '2026-01-01T00:00:10.000Z' },
      { id: '2', status: 'FAILED', finishedAt: '2026-01-01T00:00:20.000Z' },
      { id: '3', status: 'SUCCEEDED', finishedAt: '2026-01-01T00:30:00.000Z' },
      { id: '4', status: 'RUNNING', finishedAt: null },
    ]);
    expect(series.rates).toEqual([0.5, 1]);
    expect(series.times).toHaveLength(2);
  });
});
