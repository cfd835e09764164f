/**
 * The built-in pipeline: runs started and awaited through the gateway (the measured path), the
 * seeding of finished runs by cloning a real one, and the documents the engine writes per run
 * (the raw floor replays them with the bare driver).
 */
import type { Connection, mongo } from 'mongoose';
import { graphql, percentile, runLoops, sleep, type Figure } from './measure';
import type { ComponentIds, Random } from './seed';

export const PIPELINE_ID = 'component-generation-pipeline';
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'COMPENSATED'];

const START_RUN = /* GraphQL */ `
  mutation Start($input: StartRunInput!) {
    startRun(input: $input) {
      id
    }
  }
`;
const RUN_STATUS = /* GraphQL */ `
  query Status($id: ID!) {
    workflowRun(id: $id) {
      status
    }
  }
`;

/** Input of one pipeline run: one generated component and one existing one. */
export function runInput(key: string, existing: string, generated = true) {
  return {
    blueprints: [{ name: `bp-${key}` }],
    theme: 'light',
    pages: ['home'],
    components: generated ? [{ name: `Gen${key}`, type: 'ATOM', version: '1.0.0' }] : [],
    componentIds: [existing],
  };
}

/** Starts one run through the gateway and polls it until it ends; resolves with its id and status. */
export async function startAndAwaitRun(
  url: string,
  key: string,
  input: object,
  { pollMs, timeoutMs }: { pollMs: number; timeoutMs: number },
): Promise<{ id: string; status: string }> {
  const { startRun } = await graphql<{ startRun: { id: string } }>(url, START_RUN, {
    input: { definitionId: PIPELINE_ID, input, idempotencyKey: `bench-${key}` },
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { workflowRun } = await graphql<{ workflowRun: { status: string } }>(url, RUN_STATUS, {
      id: startRun.id,
    });
    if (TERMINAL.includes(workflowRun.status)) return { id: startRun.id, ...workflowRun };
    if (Date.now() > deadline) throw new Error(`run ${startRun.id} still ${workflowRun.status}`);
    await sleep(pollMs);
  }
}

/**
 * Closed loop of `concurrency` clients, each starting a run and awaiting its end. Runs are started
 * during the first `seconds - 5` s; the phase ends after `seconds` at most. A run that has not
 * SUCCEEDED by then counts as an error (it is left to finish: see {@link waitForRuns}).
 */
export async function measurePipeline(
  url: string,
  ids: ComponentIds,
  options: { concurrency: number; seconds: number; pollMs: number },
  random: Random,
): Promise<Figure> {
  const tag = Date.now().toString(36);
  const end = Date.now() + options.seconds * 1000;
  return runLoops({
    concurrency: options.concurrency,
    seconds: Math.max(options.seconds - 5, 1),
    op: async (worker, n) => {
      const key = `${tag}w${worker}n${n}`;
      const run = await startAndAwaitRun(url, key, runInput(key, random.pick(ids)), {
        pollMs: options.pollMs,
        timeoutMs: end - Date.now(),
      });
      if (run.status !== 'SUCCEEDED') throw new Error(`run ${run.id} ended ${run.status}`);
    },
  });
}

/** Waits (at most `timeoutMs`) until no run is active any more; false if some still are. */
export async function waitForRuns(workflow: mongo.Db, timeoutMs: number): Promise<boolean> {
  const active = { status: { $in: ['PENDING', 'RUNNING', 'WAITING'] } };
  const deadline = Date.now() + timeoutMs;
  while ((await workflow.collection('workflow_runs').countDocuments(active)) > 0) {
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}

/** What one finished run left in the workflow database: its document, commits and events. */
export interface RunTemplate {
  run: mongo.Document;
  commits: mongo.Document[];
  events: mongo.Document[];
}

/** Reads a finished run's documents (right after it ended, before its commits are purged). */
export async function readRunTemplate(workflow: Connection, runId: string): Promise<RunTemplate> {
  const byRun = { runId };
  const [run, commits, events] = await Promise.all([
    workflow.collection<{ _id: string }>('workflow_runs').findOne({ _id: runId }),
    workflow.collection('workflow_run_commits').find(byRun).sort({ revision: 1 }).toArray(),
    workflow.collection('run_events').find(byRun).sort({ sequence: 1 }).toArray(),
  ]);
  if (!run) throw new Error(`run ${runId} not found`);
  return { run, commits, events };
}

/** A deep copy with ids replaced (in every string) and every date moved by `shiftMs`. */
function rewrite<T>(value: T, replace: [string, string][], shiftMs: number): T {
  if (value instanceof Date) return new Date(value.getTime() + shiftMs) as T;
  if (typeof value === 'string') {
    let text: string = value;
    for (const [from, to] of replace) text = text.split(from).join(to);
    return text as T;
  }
  if (Array.isArray(value)) return value.map((item) => rewrite(item, replace, shiftMs)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, rewrite(item, replace, shiftMs)]),
    ) as T;
  }
  return value;
}

/** One clone of the template: a new run id, another existing component, dates in the past. */
export function cloneRun(
  template: RunTemplate,
  runId: string,
  componentId: string,
  shiftMs: number,
): RunTemplate {
  const replace: [string, string][] = [
    [String(template.run._id), runId],
    [String((template.run.componentIds as string[])[0]), componentId],
    [String(template.run.idempotencyKey), `seed-${runId}`],
  ];
  return {
    run: rewrite(template.run, replace, shiftMs),
    commits: template.commits.map((commit) => rewrite(commit, replace, shiftMs)),
    events: template.events.map((event) => rewrite(event, replace, shiftMs)),
  };
}

/**
 * Seeds `count` finished runs as clones of a real one: the run document and its progress events
 * (`run_events`), spread over the last 30 days. Commits are left out: the engine purges published
 * commits 60 s after the run moved past them, so a finished run has none.
 */
export async function seedRuns(
  workflow: Connection,
  template: RunTemplate,
  ids: ComponentIds,
  count: number,
  random: Random,
): Promise<void> {
  for (let start = 0; start < count; start += 200) {
    const clones = Array.from({ length: Math.min(200, count - start) }, () =>
      cloneRun(
        template,
        crypto.randomUUID(),
        random.pick(ids),
        -Math.floor(random.next() * 30 * 24 * 3600 * 1000),
      ),
    );
    await workflow.collection('workflow_runs').insertMany(clones.map((clone) => clone.run));
    await workflow.collection('run_events').insertMany(clones.flatMap((clone) => clone.events));
  }
}

type StepTimes = { startedAt?: Date | null; finishedAt?: Date | null };

/**
 * Where the time of the runs that SUCCEEDED since `since` went, per step: executing it (startedAt
 * → finishedAt) or handing over to it (the previous step's end, or the run's start, → its start:
 * the commit, the outbox relay, Kafka, the engine's consumer and the run load).
 */
export async function describeRunSteps(workflow: mongo.Db, since: Date): Promise<string> {
  const runs = await workflow
    .collection('workflow_runs')
    .find({ startedAt: { $gte: since }, status: 'SUCCEEDED' })
    .toArray();
  const execution: number[] = [];
  const handOff: number[] = [];
  for (const run of runs) {
    let previous = (run.startedAt as Date).getTime();
    const steps = (run.steps as StepTimes[])
      .filter((step) => step.startedAt && step.finishedAt)
      .sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
    for (const step of steps) {
      handOff.push(step.startedAt!.getTime() - previous);
      execution.push(step.finishedAt!.getTime() - step.startedAt!.getTime());
      previous = step.finishedAt!.getTime();
    }
  }
  const p = (values: number[], q: number) =>
    percentile(
      [...values].sort((x, y) => x - y),
      q,
    );
  return (
    `${runs.length} runs, per step: execution p50 ${p(execution, 50)} ms / p90 ${p(execution, 90)} ms, ` +
    `hand-off before it p50 ${p(handOff, 50)} ms / p90 ${p(handOff, 90)} ms`
  );
}
