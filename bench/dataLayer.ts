/**
 * Benchmark of the data layer on a realistic data set (not a test; prints one markdown table):
 * 10,000 components with dependencies, 100 projects, 1,000 finished workflow runs. For each path,
 * throughput and p50/p99 next to a raw floor (bare MongoDB driver / bare kafkajs) measured in the
 * same run: registry page and by-id reads and updateComponent through the gateway, the
 * intelligence projection, the built-in pipeline, and flatness from 1,000 to 10,000 components.
 *
 *   source .cache/run/services.env && npx tsx bench/dataLayer.ts
 *
 * Env: BENCH_SECONDS (6, per read/update phase), BENCH_CONNECTIONS (10), BENCH_COMPONENTS (10000),
 * BENCH_API_BATCH (1000 registered through the gateway first and last), BENCH_PROJECTS (100),
 * BENCH_RUNS (1000 stored runs), BENCH_EVENTS (5000), BENCH_PHASE_MAX_SECONDS (20, projection and
 * pipeline). Method and results: docs/benchmarks-data-layer.md.
 */
import { startBenchStack } from './benchStack';
import { loadAverage, log } from './dataLayer/measure';
import { waitForQuiet } from './dataLayer/paths';
import {
  k,
  pipelinePhase,
  projectionPhase,
  readPhase,
  timed,
  updatePhase,
  type PhaseContext,
} from './dataLayer/phases';
import { readRunTemplate, runInput, seedRuns, startAndAwaitRun } from './dataLayer/pipeline';
import { change, formatTable, verdict, type Row } from './dataLayer/report';
import { probeQueryShapes } from './dataLayer/probe';
import { openResources, type BenchResources } from './dataLayer/resources';
import { assertSameShape, createReadModelSeeder } from './dataLayer/seedReadModel';
import {
  bulkInsertComponents,
  createRandom,
  registerThroughGateway,
  seedProjects,
} from './dataLayer/seed';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = env('BENCH_SECONDS', 6);
const CONNECTIONS = env('BENCH_CONNECTIONS', 10);
const COMPONENTS = env('BENCH_COMPONENTS', 10_000);
const API_BATCH = env('BENCH_API_BATCH', 1_000);
const PROJECTS = env('BENCH_PROJECTS', 100);
const RUNS = env('BENCH_RUNS', 1_000);
const EVENTS = env('BENCH_EVENTS', 5_000);
const PHASE_MAX_SECONDS = env('BENCH_PHASE_MAX_SECONDS', 20);
const SERVER = process.env.MONGO_SERVER_KIND ?? 'MongoDB (MONGO_SERVER_KIND unset)';
const SERVICES = {
  mongodbUri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/',
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
};
/** Components registered (untimed) before the first measured batch: JIT, pools, query plans. */
const WARMUP = 20;

async function main() {
  const loadAtStart = loadAverage();
  const random = createRandom(42);
  const { stack, suffix } = await startBenchStack();
  const res = await openResources(suffix, SERVICES).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  const ids: string[] = [];
  const ctx: PhaseContext = {
    url: stack.gatewayUrl,
    res,
    ids,
    random,
    groupId: `${res.prefix}-intelligence`,
    connections: CONNECTIONS,
    seconds: SECONDS,
  };
  // Each phase starts with empty outboxes and an idle projector; how long that took is logged.
  const quiet = async (what: string) => {
    const begin = performance.now();
    const idle = await waitForQuiet(res, ctx.groupId, 300_000);
    const seconds = ((performance.now() - begin) / 1000).toFixed(1);
    log(`${idle ? 'outboxes and projector idle' : 'STILL BUSY'} ${seconds} s after ${what}`);
  };
  const register = (from: number, count: number) =>
    registerThroughGateway(ctx.url, ids, { from, count, concurrency: CONNECTIONS }, random);
  try {
    // 1. The first components through the gateway (after a warm-up), then reads at that size.
    await register(0, WARMUP);
    const first = await timed(`registerComponent ×${API_BATCH} through the gateway`, () =>
      register(WARMUP, API_BATCH),
    );
    await quiet('the first batch');
    const small = await readPhase({ ...ctx, ids: ids.slice() });

    // 2. Bulk seeding, checked field by field against a document the API wrote.
    // Names are `Comp<index>` and unique: continue after the last index tried through the
    // gateway (a failed registration used its name too), while `ids` holds only successes.
    const bulkFrom = ids.length;
    const bulkNamesFrom = WARMUP + API_BATCH;
    const bulkCount = COMPONENTS - bulkFrom - API_BATCH;
    const newest = await res
      .db('registry')
      .collection<{ createdAt: Date }>('components')
      .find()
      .sort({ createdAt: -1 })
      .limit(1)
      .next();
    log(`bulk insert of ${bulkCount} components (registry and read model)`);
    const bulkStart = performance.now();
    await bulkInsertComponents(
      ids,
      {
        registry: res.registry,
        from: bulkNamesFrom,
        count: bulkCount,
        firstCreatedAt: newest!.createdAt.getTime() + 1,
        applyToReadModel: createReadModelSeeder(res.intelligence),
      },
      random,
    );
    const outboxCleared = (doc: { outboxPending?: unknown }) => doc.outboxPending === false;
    await assertSameShape(
      res.db('registry').collection('components'),
      ids[0]!,
      ids[bulkFrom]!,
      outboxCleared,
    );
    await assertSameShape(
      res.db('intelligence').collection('component_insights'),
      ids[0]!,
      ids[bulkFrom]!,
    );
    log(`inserted in ${((performance.now() - bulkStart) / 1000).toFixed(1)} s`);

    // 3. The last components through the gateway; projects; stored runs.
    const lastFrom = bulkNamesFrom + bulkCount;
    const beforeLast = ids.length;
    const last = await timed(`registerComponent ×${API_BATCH} through the gateway (last)`, () =>
      register(lastFrom, API_BATCH),
    );
    log(`${PROJECTS} projects × 5 components through recordComponentUsage`);
    await seedProjects(
      ctx.url,
      ids,
      { projects: PROJECTS, perProject: 5, concurrency: CONNECTIONS },
      random,
    );
    log(`${RUNS} finished runs: one through the API, ${RUNS - 1} cloned from it`);
    const runStart = performance.now();
    const run = await startAndAwaitRun(ctx.url, `t-${suffix}`, runInput('t', ids[0]!, false), {
      pollMs: 100,
      timeoutMs: 120_000,
    });
    log(`one run alone: ${((performance.now() - runStart) / 1000).toFixed(1)} s`);
    const template = await readRunTemplate(res.workflow, run.id);
    await seedRuns(res.workflow, template, ids, RUNS - 1, random);
    await quiet('seeding');
    log(await describeDataSet(res));

    // 4. The paths at full size; the projection last (it leaves a backlog behind).
    const full = await readPhase(ctx, small);
    const update = await updatePhase(ctx, bulkFrom);
    await quiet('the updates');
    const pipeline = await pipelinePhase(ctx, template, {
      seconds: PHASE_MAX_SECONDS,
      runsStored: RUNS,
    });
    await quiet('the pipeline runs');
    const shapes = await probeQueryShapes(res.db);
    const projection = await projectionPhase(ctx, {
      offset: bulkFrom + 40 * CONNECTIONS,
      count: EVENTS,
      projects: PROJECTS,
      seconds: PHASE_MAX_SECONDS,
    });

    const rows: Row[] = [
      ...small,
      ...full,
      update,
      {
        path: `registerComponent (gateway), components ${k(WARMUP)} → ${k(WARMUP + API_BATCH)}`,
        ...first,
      },
      {
        path: `registerComponent (gateway), components ${k(beforeLast)} → ${k(beforeLast + API_BATCH)}`,
        ...last,
        target: verdict(
          Math.abs(last.figure.rate / first.figure.rate - 1) <= 0.2,
          `flat within 20 % (${change(last.figure.rate, first.figure.rate)} vs the first batch)`,
        ),
      },
      projection,
      pipeline,
    ];
    console.log(
      `\nData layer: ${COMPONENTS} components, ${PROJECTS} projects, ${RUNS} runs; ` +
        `${CONNECTIONS} clients, ${SECONDS} s per read/update phase; ` +
        `load average ${loadAtStart} at start, ${loadAverage()} at end\n`,
    );
    console.log(formatTable(rows, SERVER));
    console.log(
      `\nQuery shapes at ${k(ids.length)} components, before the projection phase (one client, mean of ≤ 20 calls):\n`,
    );
    console.log(shapes);
  } finally {
    await stack.stop();
    await res.cleanup();
  }
}

/** What the seeding left, counted in the databases. */
async function describeDataSet(res: BenchResources) {
  const count = (role: string, collection: string) =>
    res.db(role).collection(collection).countDocuments();
  const [components, insights, projects, runs, runEvents] = await Promise.all([
    count('registry', 'components'),
    count('intelligence', 'component_insights'),
    count('intelligence', 'project_contexts'),
    count('workflow', 'workflow_runs'),
    count('workflow', 'run_events'),
  ]);
  return (
    `data set: ${components} registry components (${insights} in the intelligence read model), ` +
    `${projects} projects, ${runs} workflow runs with ${runEvents} progress events`
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
