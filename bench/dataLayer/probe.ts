import type { mongo } from 'mongoose';

type Doc = { _id: string };
type Shape = [name: string, call: () => Promise<unknown>];

/** Mean ms of `call` over up to 20 sequential calls or about 2 s (after one untimed call). */
async function meanMs(call: () => Promise<unknown>): Promise<number> {
  await call();
  const begin = performance.now();
  let calls = 0;
  while (calls < 20 && (calls < 3 || performance.now() - begin < 2000)) {
    await call();
    calls++;
  }
  return (performance.now() - begin) / calls;
}

/** The read and write shapes of the registry (resolvers, commitComponentChange, outbox relay). */
function registryShapes(components: mongo.Collection<Doc>, a: string, b: string): Shape[] {
  // Filters that never match (eventSequence -1) time the lookup of a write without changing data.
  return [
    [
      'components find {_id: {$in: [a, b]}}',
      () => components.find({ _id: { $in: [a, b] } }).toArray(),
    ],
    [
      'components find {_id: {$in: [a, b]}, deletedAt: null} (componentById)',
      () => components.find({ _id: { $in: [a, b] }, deletedAt: null }).toArray(),
    ],
    [
      'components findOne {_id: a, deletedAt: null} (commitComponentChange read)',
      () => components.findOne({ _id: a, deletedAt: null }),
    ],
    [
      'components findOneAndUpdate {_id: a, eventSequence, deletedAt: null} (commitComponentChange CAS)',
      () =>
        components.findOneAndUpdate(
          { _id: a, eventSequence: -1, deletedAt: null },
          { $set: { x: 1 } },
        ),
    ],
    [
      'components updateOne {_id: a, eventSequence} (outbox relay clearPublished)',
      () => components.updateOne({ _id: a, eventSequence: -1 }, { $set: { x: 1 } }),
    ],
    [
      'components find {dependencies: {$in: [a]}, deletedAt: null} sort name (dependentsOf)',
      () =>
        components
          .find({ dependencies: { $in: [a] }, deletedAt: null })
          .sort({ name: 1 })
          .toArray(),
    ],
    [
      'components find {deletedAt: null} sort {createdAt: -1, _id: -1} limit 21 (listComponents)',
      () =>
        components.find({ deletedAt: null }).sort({ createdAt: -1, _id: -1 }).limit(21).toArray(),
    ],
  ];
}

/** The projector's writes (with the dedup store's) and the workflow run store's. */
function otherShapes(db: (role: string) => mongo.Db, a: string, run: string): Shape[] {
  const insights = db('intelligence').collection<Doc>('component_insights');
  const projects = db('intelligence').collection<Doc>('project_contexts');
  const processed = db('intelligence').collection('processed_events');
  const runs = db('workflow').collection<Doc>('workflow_runs');
  const commits = db('workflow').collection<Doc>('workflow_run_commits');
  return [
    [
      'processed_events findOne {group, source, id, expiresAt: {$gt}} (dedup seen)',
      () => processed.findOne({ group: 'g', source: '/s', id: a, expiresAt: { $gt: new Date() } }),
    ],
    [
      'project_contexts updateOne {_id} (component.used)',
      () => projects.updateOne({ _id: 'project-0' }, { $inc: { version: 0 } }),
    ],
    [
      'component_insights updateOne {_id: a}',
      () => insights.updateOne({ _id: a }, { $inc: { eventCount: 0 } }),
    ],
    [
      'component_insights updateOne {_id: a, lastSequence: {$lt}} (applyComponentEvent)',
      () => insights.updateOne({ _id: a, lastSequence: { $lt: 0 } }, { $inc: { eventCount: 0 } }),
    ],
    ['workflow_runs findOne {_id} (runStore.load)', () => runs.findOne({ _id: run })],
    [
      'workflow_run_commits find {runId, revision: {$gt}} sort revision (runStore.load)',
      () =>
        commits
          .find({ runId: run, revision: { $gt: 0 } })
          .sort({ revision: 1 })
          .toArray(),
    ],
    [
      'workflow_runs updateOne {_id, revision: {$lt}} (runStore apply)',
      () => runs.updateOne({ _id: run, revision: { $lt: -1 } }, { $set: { x: 1 } }),
    ],
  ];
}

/**
 * Times, one client at a time on the bench's data, the query shapes the registry, the projector
 * and the run store send, next to the plain `_id` lookups: the server's own cost of each shape
 * (e.g. whether it uses the `_id` index when another field is in the filter).
 */
export async function probeQueryShapes(db: (role: string) => mongo.Db) {
  const components = db('registry').collection<Doc>('components');
  const [a, b] = (
    await components
      .find({}, { projection: { _id: 1 } })
      .limit(2)
      .toArray()
  ).map((doc) => doc._id);
  const run = await db('workflow')
    .collection<Doc>('workflow_runs')
    .findOne({}, { projection: { _id: 1 } });
  const shapes = [...registryShapes(components, a!, b!), ...otherShapes(db, a!, run!._id)];
  const lines: string[] = [];
  for (const [name, call] of shapes) lines.push(`| ${(await meanMs(call)).toFixed(1)} | ${name} |`);
  return ['| ms | query shape |', '| ---: | --- |', ...lines].join('\n');
}
