/**
 * The measured phases: each runs a path on the running stack, then its raw floor on the same
 * data, and returns table rows with the load average around the path.
 */
import {
  byIdFloor,
  pageFloor,
  pipelineFloor,
  preparePipelineFloor,
  prepareProjectionFloor,
  projectionFloor,
  updateFloor,
} from './floors';
import { figureOf, loadAverage, log, type Figure } from './measure';
import {
  gatewayById,
  gatewayPage,
  gatewayUpdates,
  measureProjection,
  PAGE_SIZE,
  produceEvents,
  projectionEvents,
  type Known,
  type Subject,
} from './paths';
import { describeRunSteps, measurePipeline, waitForRuns, type RunTemplate } from './pipeline';
import { change, verdict, type Row } from './report';
import type { BenchResources } from './resources';
import type { Random } from './seed';

/** What every phase works with. */
export interface PhaseContext {
  url: string;
  res: BenchResources;
  /** Registered component ids, oldest first. */
  ids: string[];
  random: Random;
  /** Group of the intelligence role's projector. */
  groupId: string;
  connections: number;
  /** Length of each load phase. */
  seconds: number;
}

/** A measured path with the load average when it started and ended. */
export interface Timed {
  figure: Figure;
  load: [number, number];
}

/** Runs a path between two load-average readings (printing its title). */
export async function timed(title: string, run: () => Promise<Figure>): Promise<Timed> {
  const start = loadAverage();
  log(title);
  const figure = await run();
  return { figure, load: [start, loadAverage()] };
}

export const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

const flat = (later: Figure, earlier: Figure) =>
  `flat (${change(later.rate, earlier.rate)} vs smaller set): ${
    Math.abs(later.rate / earlier.rate - 1) <= 0.2 ? 'yes' : '**NO**'
  }`;

/** Registry reads at the current data-set size: the page and by id, each with its floor. */
export async function readPhase(ctx: PhaseContext, earlier?: Row[]): Promise<Row[]> {
  const { url, res, ids, connections, seconds } = ctx;
  const registry = res.db('registry');
  const loop = { concurrency: connections, seconds };
  const size = k(ids.length);
  const page = await timed(`page @${size}`, () => gatewayPage(url, { connections, seconds }));
  const pageRaw = await pageFloor(registry, PAGE_SIZE, loop);
  const byId = await timed(`by id @${size}`, () => gatewayById(url, ids, { connections, seconds }));
  const byIdRaw = await byIdFloor(registry, ids, loop);
  const target = (figure: Figure, before?: Row) =>
    before
      ? `${verdict(figure.p99 < 100 && figure.rate >= 300, 'p99 < 100 ms and ≥ 300 req/s')}; ${flat(figure, before.figure)}`
      : undefined;
  return [
    {
      path: `registry page (first ${PAGE_SIZE} + dependencies) @${size} components`,
      ...page,
      floor: pageRaw,
      target: target(page.figure, earlier?.[0]),
    },
    {
      path: `registry by id (+ dependencies, dependents) @${size} components`,
      ...byId,
      floor: byIdRaw,
      target: target(byId.figure, earlier?.[1]),
    },
  ];
}

/** `updateComponent` by `connections` clients over 20 components each; the floor on others. */
export async function updatePhase(ctx: PhaseContext, offset: number): Promise<Row> {
  const { url, res, ids, connections, seconds } = ctx;
  const registry = res.db('registry');
  const slice = (from: number) =>
    Array.from({ length: connections }, (_, c) => ids.slice(from + c * 20, from + (c + 1) * 20));
  const mine = slice(offset);
  const known = new Map<string, Known>();
  const docs = await registry
    .collection<{ _id: string; revision: number; version: string }>('components')
    .find({ _id: { $in: mine.flat() } })
    .toArray();
  for (const doc of docs) known.set(doc._id, { revision: doc.revision, version: doc.version });
  const updates = await timed('updateComponent through the gateway', () =>
    gatewayUpdates(url, mine, known, seconds),
  );
  const floor = await updateFloor(registry, slice(offset + 20 * connections), {
    concurrency: connections,
    seconds,
  });
  return {
    path: `updateComponent (${connections} clients, distinct ids) @${k(ids.length)} components`,
    ...updates,
    floor,
    target: verdict(
      updates.figure.rate >= 200 && updates.figure.p99 < 100,
      '≥ 200 ops/s and p99 < 100 ms',
    ),
  };
}

/**
 * `count` component.used/updated events over 500 components (from `offset`): first the bare floor
 * on a topic of its own, then straight into the registry topic for the stack's projector, measured
 * for at most `seconds`. Meant to be the last phase: what the projector has not applied by then is
 * left on the topic and dropped with the stack.
 */
export async function projectionPhase(
  ctx: PhaseContext,
  {
    offset,
    count,
    projects,
    seconds,
  }: { offset: number; count: number; projects: number; seconds: number },
): Promise<Row> {
  const { res, ids, groupId } = ctx;
  const components = res.db('registry').collection<{
    _id: string;
    eventSequence: number;
    version: string;
  }>('components');
  const subjects: Subject[] = (
    await components.find({ _id: { $in: ids.slice(offset, offset + 500) } }).toArray()
  ).map((doc) => ({ id: doc._id, sequence: doc.eventSequence, version: doc.version }));
  const events = projectionEvents(subjects, count, projects);
  log(`projection floor: ${count} events, bare kafkajs + driver upserts`);
  await prepareProjectionFloor(
    res.db('floor'),
    res.db('intelligence').collection('component_insights'),
  );
  const floorTopic = await res.createTopic('floor.events', 6);
  const bare = await projectionFloor(
    res.kafka,
    floorTopic,
    res.db('floor'),
    { count, maxSeconds: seconds },
    () => produceEvents(res.kafka, floorTopic, events),
  );
  const topic = res.topics.events('registry');
  const stack = await timed(`projection of ${count} events (at most ${seconds} s)`, () =>
    measureProjection(res.kafka, res.admin, { groupId, topic, maxSeconds: seconds }, events),
  );
  // Keep the registry's per-aggregate sequences ahead of the events the projector was given.
  await components.bulkWrite(
    subjects.map((s) => ({
      updateOne: { filter: { _id: s.id }, update: { $set: { eventSequence: s.sequence } } },
    })),
  );
  const applied = stack.figure.count;
  return {
    path:
      `projection: ${count} component.used/updated into the registry topic → intelligence projector` +
      `${applied === count ? '' : ` (${applied} applied in ${seconds} s)`}; p50/p99 = handler time`,
    ...stack,
    floor: figureOf(bare.latencies, bare.seconds),
    target: verdict(stack.figure.rate >= 1000, '≥ 1,000 events/s'),
  };
}

/** Pipeline runs for `seconds` with `connections` clients; the floor replays the engine's writes. */
export async function pipelinePhase(
  ctx: PhaseContext,
  template: RunTemplate,
  { seconds, runsStored }: { seconds: number; runsStored: number },
): Promise<Row> {
  const { url, res, ids, connections, random } = ctx;
  const since = new Date();
  const pipeline = await timed(`pipeline runs for ${seconds} s`, () =>
    measurePipeline(url, ids, { concurrency: connections, seconds, pollMs: 200 }, random),
  );
  log(await describeRunSteps(res.db('workflow'), since));
  // Runs still going at the end of the phase are left to finish before anything else is measured.
  if (!(await waitForRuns(res.db('workflow'), 60_000)))
    log('runs still active 60 s after the phase');
  const scratch = res.db('floor');
  await preparePipelineFloor(scratch);
  const floor = await pipelineFloor(scratch, template, {
    concurrency: connections,
    seconds: ctx.seconds,
  });
  return {
    path:
      `built-in pipeline run (${connections} concurrent, start → SUCCEEDED, ±200 ms poll; ` +
      `errors = not SUCCEEDED within the ${seconds} s), ${k(runsStored)} runs stored`,
    ...pipeline,
    floor,
    target: verdict(
      pipeline.figure.rate >= 10 && pipeline.figure.p50 < 2000,
      '≥ 10 runs/s and run p50 < 2 s',
    ),
  };
}
