/**
 * Raw floors: the same data work as each measured path, done with the bare MongoDB driver (and a
 * bare kafkajs consumer for the projection), so a path's figure can be read as a ratio to what
 * the database and broker themselves allow on this machine, in the same run.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { mongo } from 'mongoose';
import { runLoops, sleep, type Figure } from './measure';
import type { RunTemplate } from './pipeline';
import { cloneRun } from './pipeline';

type Db = mongo.Db;
type Doc = mongo.Document & { _id: string; dependencies: string[] };
const LIVE = { deletedAt: null };

/** Options shared by the driver loops. */
export interface FloorOptions {
  concurrency: number;
  seconds: number;
}

/**
 * `components(first: N)` as the registry resolves it: the page (keyset order of `listComponents`,
 * `first + 1` documents), then one `$in` for the dependencies not on the page (componentById).
 */
export function pageFloor(registry: Db, first: number, options: FloorOptions): Promise<Figure> {
  const components = registry.collection<Doc>('components');
  return runLoops({
    ...options,
    op: async () => {
      const docs = await components
        .find(LIVE)
        .sort({ createdAt: -1, _id: -1 })
        .limit(first + 1)
        .toArray();
      const page = docs.slice(0, first);
      const onPage = new Set(page.map((doc) => doc._id));
      const missing = [...new Set(page.flatMap((doc) => doc.dependencies))].filter(
        (id) => !onPage.has(id),
      );
      if (missing.length > 0) await components.find({ _id: { $in: missing }, ...LIVE }).toArray();
    },
  });
}

/**
 * `component(id)` with dependencies and dependents: componentById, then its dependencies and the
 * dependentsOf lookup in parallel (two DataLoaders dispatched in the same tick).
 */
export function byIdFloor(registry: Db, ids: string[], options: FloorOptions): Promise<Figure> {
  const components = registry.collection<Doc>('components');
  let next = 0;
  return runLoops({
    ...options,
    op: async () => {
      const id = ids[next++ % ids.length]!;
      const [doc] = await components.find({ _id: { $in: [id] }, ...LIVE }).toArray();
      if (!doc) throw new Error(`component ${id} not found`);
      await Promise.all([
        doc.dependencies.length > 0
          ? components.find({ _id: { $in: doc.dependencies }, ...LIVE }).toArray()
          : undefined,
        components
          .find({ dependencies: { $in: [id] }, ...LIVE })
          .sort({ name: 1 })
          .toArray(),
      ]);
    },
  });
}

/** One `updateOne` per operation on each loop's own components (description, version, revision). */
export function updateFloor(
  registry: Db,
  idsByLoop: string[][],
  options: FloorOptions,
): Promise<Figure> {
  const components = registry.collection<Doc>('components');
  return runLoops({
    ...options,
    op: async (worker, n) => {
      const ids = idsByLoop[worker]!;
      const result = await components.updateOne(
        { _id: ids[n % ids.length]!, ...LIVE },
        {
          $set: { description: `floor update ${n} of the bench`, updatedAt: new Date() },
          $inc: { revision: 1 },
        },
      );
      if (result.matchedCount !== 1) throw new Error('floor update matched nothing');
    },
  });
}

/**
 * Fills the floor's `floor_insights` with the `_id` and `lastSequence` of every document of the
 * read model, so the floor's upserts run against a collection of the same size as the projector's.
 */
export async function prepareProjectionFloor(scratch: Db, insights: mongo.Collection) {
  const copy = scratch.collection('floor_insights');
  let batch: mongo.Document[] = [];
  for await (const doc of insights.find({}, { projection: { _id: 1, lastSequence: 1 } })) {
    batch.push(doc);
    if (batch.length === 2000) {
      await copy.insertMany(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await copy.insertMany(batch);
}

/**
 * Seconds for a bare kafkajs `eachBatch` consumer (6 partitions at once, one driver upsert per
 * event, the statement of applyComponentEvent without the framework, contracts, dedup, signals
 * or projects) to apply `count` events (or as many as it can in `maxSeconds`), counted from the
 * moment `produce()` starts; also each upsert's latency.
 */
export async function projectionFloor(
  kafka: Kafka,
  topic: string,
  scratch: Db,
  { count, maxSeconds }: { count: number; maxSeconds: number },
  produce: () => Promise<void>,
): Promise<{ seconds: number; latencies: number[] }> {
  const insights = scratch.collection<{ _id: string }>('floor_insights');
  const consumer = kafka.consumer({ groupId: `${topic}-floor` });
  const latencies: number[] = [];
  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const message of batch.messages) {
        if (stopped) return;
        const event = JSON.parse(message.value!.toString()) as {
          subject: string;
          type: string;
          time: string;
          sequence: number;
        };
        const t0 = performance.now();
        await insights
          .updateOne(
            { _id: event.subject, lastSequence: { $lt: event.sequence } } as mongo.Filter<{
              _id: string;
            }>,
            {
              $set: {
                lastEventType: event.type,
                lastEventAt: new Date(event.time),
                lastSequence: event.sequence,
              },
              $inc: { eventCount: 1 },
            },
            { upsert: true },
          )
          .catch((error: { code?: number }) => {
            if (error.code !== 11000) throw error;
          });
        latencies.push(performance.now() - t0);
        resolveOffset(message.offset);
        if (latencies.length === count) resolveDone();
        // A large batch outlasts the session timeout: keep the membership while working on it.
        if (latencies.length % 100 === 0) await heartbeat();
      }
      await heartbeat();
    },
  });
  await joined;
  const begin = performance.now();
  await produce();
  const left = maxSeconds * 1000 - (performance.now() - begin);
  await Promise.race([done, sleep(Math.max(left, 0))]);
  const seconds = (performance.now() - begin) / 1000;
  stopped = true;
  await consumer.disconnect();
  return { seconds, latencies: latencies.slice() };
}

/**
 * The MongoDB writes the engine makes for one run of the template (insert of the run; per commit:
 * the commit insert, an upsert per progress event, the run update), replayed sequentially per run
 * with the bare driver, `concurrency` runs at once, into the scratch database. No reads, no Kafka.
 */
export function pipelineFloor(
  scratch: Db,
  template: RunTemplate,
  options: FloorOptions,
): Promise<Figure> {
  const runs = scratch.collection<mongo.Document>('workflow_runs');
  const commits = scratch.collection<mongo.Document>('workflow_run_commits');
  const events = scratch.collection<mongo.Document>('run_events');
  return runLoops({
    ...options,
    op: async () => {
      const clone = cloneRun(template, randomUUID(), randomUUID(), 0);
      const [first] = clone.commits;
      await runs.insertOne({ ...(first?.state ?? clone.run), pendingEvents: [] });
      for (const commit of clone.commits) {
        await commits.insertOne(commit);
        for (const event of (commit.progress as mongo.Document[] | undefined) ?? []) {
          await events.replaceOne({ _id: event._id }, event, { upsert: true });
        }
        const { _id: _runId, ...state } = commit.state as mongo.Document;
        await runs.updateOne(
          { _id: clone.run._id, revision: { $lt: commit.revision } },
          { $set: state },
        );
      }
    },
  });
}

/** Creates the indexes the workflow role declares on the collections the pipeline floor writes. */
export async function preparePipelineFloor(scratch: Db): Promise<void> {
  await scratch.collection('workflow_runs').createIndex({ idempotencyKey: 1 }, { unique: true });
  await scratch.collection('workflow_runs').createIndex({ startedAt: -1 });
  await scratch
    .collection('workflow_run_commits')
    .createIndex({ runId: 1, revision: 1 }, { unique: true });
  await scratch.collection('run_events').createIndex({ runId: 1, sequence: 1 }, { unique: true });
}
