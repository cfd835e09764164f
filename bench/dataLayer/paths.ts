/**
 * The measured paths: registry reads and updates through the gateway, and the intelligence
 * projection fed straight into the registry topic.
 */
import { Partitioners, type Admin, type Kafka } from 'kafkajs';
import { createEvent, encodeEvent, eventMetrics, type CloudEvent } from '../../lib/events';
import {
  graphql,
  histogramQuantile,
  loadGraphql,
  runLoops,
  sleep,
  type Buckets,
  type Figure,
} from './measure';
import type { BenchResources } from './resources';

export const PAGE_SIZE = 20;

const PAGE_QUERY = /* GraphQL */ `
  query Page {
    components(first: ${PAGE_SIZE}) {
      edges { cursor node { id name type version revision dependencies { id name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const BY_ID_QUERY = /* GraphQL */ `
  query ById($id: ID!) {
    component(id: $id) {
      id
      name
      type
      version
      revision
      tags
      dependencies {
        id
        name
      }
      dependents {
        id
        name
      }
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation Update($input: UpdateComponentInput!) {
    updateComponent(input: $input) {
      component {
        id
        revision
        version
      }
      eventIds
    }
  }
`;

/** Load options of a gateway path. */
export interface PathOptions {
  connections: number;
  seconds: number;
}

/** The first page of `components` (newest first) through the gateway, with autocannon. */
export function gatewayPage(url: string, options: PathOptions): Promise<Figure> {
  const body = JSON.stringify({ query: PAGE_QUERY });
  return loadGraphql({ url, ...options, body: () => body });
}

/** `component(id)` with dependencies and dependents, rotating over `ids`, with autocannon. */
export function gatewayById(url: string, ids: string[], options: PathOptions): Promise<Figure> {
  let next = 0;
  return loadGraphql({
    url,
    ...options,
    body: () => JSON.stringify({ query: BY_ID_QUERY, variables: { id: ids[next++ % ids.length] } }),
  });
}

/** What a client knows of a component it updates. */
export interface Known {
  revision: number;
  version: string;
}

const bumpPatch = (version: string) => {
  const [major, minor, patch] = version.split('.').map(Number);
  return `${major}.${minor}.${(patch ?? 0) + 1}`;
};

/**
 * `updateComponent` through the gateway: one client per slice of ids (no two clients share a
 * component), each a closed loop over its slice with the revision it last read. Each update
 * changes the description and bumps the patch version (one `component.updated`).
 */
export function gatewayUpdates(
  url: string,
  idsByClient: string[][],
  known: Map<string, Known>,
  seconds: number,
): Promise<Figure> {
  return runLoops({
    concurrency: idsByClient.length,
    seconds,
    op: async (client, n) => {
      const ids = idsByClient[client]!;
      const id = ids[n % ids.length]!;
      const current = known.get(id)!;
      const { updateComponent } = await graphql<{
        updateComponent: { component: { revision: number; version: string } };
      }>(url, UPDATE, {
        input: {
          id,
          expectedRevision: current.revision,
          version: bumpPatch(current.version),
          description: `Updated by bench client ${client}, round ${n}`,
        },
      });
      known.set(id, updateComponent.component);
    },
  });
}

/** A component the projection events are about, with its registry event sequence and version. */
export interface Subject {
  id: string;
  sequence: number;
  version: string;
}

/**
 * `count` events as the registry would emit them, alternating `component.used` (by one of
 * `projects` projects) and `component.updated` (patch bump), over `subjects` in turn, with
 * per-subject sequences continuing from the registry's. Advances each subject's sequence.
 */
export function projectionEvents(subjects: Subject[], count: number, projects: number) {
  const events: CloudEvent[] = [];
  for (let i = 0; i < count; i++) {
    const subject = subjects[i % subjects.length]!;
    subject.sequence += 1;
    const used = i % 2 === 0;
    if (!used) subject.version = bumpPatch(subject.version);
    const projectId = `project-${Math.floor(i / 2) % projects}`;
    events.push(
      createEvent({
        type: used ? 'component.used' : 'component.updated',
        source: '/subgraphs/registry',
        subject: subject.id,
        sequence: subject.sequence,
        data: used
          ? { componentId: subject.id, usedBy: projectId, projectId }
          : { id: subject.id, version: subject.version, changes: { version: subject.version } },
      }),
    );
  }
  return events;
}

/** Produces events straight into a topic (murmur2 like the platform's producers, acks=all). */
export async function produceEvents(kafka: Kafka, topic: string, events: CloudEvent[]) {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = 0; start < events.length; start += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: events.slice(start, start + 500).map(encodeEvent),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Records of `topics` the group has not committed yet. */
export async function groupLag(admin: Admin, groupId: string, topics: string[]): Promise<number> {
  let lag = 0;
  const committed = await admin.fetchOffsets({ groupId, topics });
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
    for (const { partition, high } of ends) {
      const offset = Number(mine.find((p) => p.partition === partition)?.offset ?? -1);
      lag += Math.max(0, Number(high) - Math.max(offset, 0));
    }
  }
  return lag;
}

/** Waits until the group has committed everything on `topics`; false after `timeoutMs`. */
export async function waitForGroup(
  admin: Admin,
  groupId: string,
  topics: string[],
  timeoutMs: number,
  pollMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await groupLag(admin, groupId, topics)) === 0) return true;
    await sleep(pollMs);
  }
  return false;
}

/**
 * Waits until the registry's and the workflow's outboxes are empty and the projector (`groupId`)
 * has committed everything on the registry and pipeline topics; false after `timeoutMs`.
 */
export async function waitForQuiet(
  res: BenchResources,
  groupId: string,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const pending = { outboxPending: true };
  const outboxes = async () =>
    (await res.db('registry').collection('components').countDocuments(pending)) +
    (await res.db('workflow').collection('workflow_run_commits').countDocuments(pending));
  while ((await outboxes()) > 0) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  const topics = [res.topics.events('registry'), res.topics.events('pipeline')];
  return waitForGroup(res.admin, groupId, topics, Math.max(deadline - Date.now(), 0));
}

/** Bucket counts of the process-wide handler histogram for one group and some event types. */
async function handlerBuckets(groupId: string, types: string[]): Promise<Buckets> {
  const buckets: Buckets = new Map();
  const { values } = await eventMetrics().handlerSeconds.get();
  for (const { metricName, labels, value } of values) {
    if (!metricName?.endsWith('_bucket') || labels.group !== groupId) continue;
    if (!types.includes(String(labels.type))) continue;
    const { le: bound } = labels as Record<string, string | number>;
    const le = bound === '+Inf' ? Infinity : Number(bound);
    buckets.set(le, (buckets.get(le) ?? 0) + value);
  }
  return buckets;
}

/**
 * The stack's projector (intelligence role, group `groupId`) over `events` produced straight into the
 * registry topic: events/s from the first send until the group committed the last one, or until
 * `maxSeconds` (then the events committed by then count); p50/p99 are the handlers' own durations
 * (from the role's `event_handler_duration_seconds` histogram, interpolated within its buckets;
 * dedup and commits are outside them).
 */
export async function measureProjection(
  kafka: Kafka,
  admin: Admin,
  { groupId, topic, maxSeconds }: { groupId: string; topic: string; maxSeconds: number },
  events: CloudEvent[],
): Promise<Figure & { drained: boolean }> {
  const types = [...new Set(events.map((event) => event.type))];
  const before = await handlerBuckets(groupId, types);
  const begin = performance.now();
  await produceEvents(kafka, topic, events);
  const left = maxSeconds * 1000 - (performance.now() - begin);
  const drained = await waitForGroup(admin, groupId, [topic], Math.max(left, 0), 50);
  const seconds = (performance.now() - begin) / 1000;
  const applied = drained
    ? events.length
    : events.length - (await groupLag(admin, groupId, [topic]));
  const after = await handlerBuckets(groupId, types);
  return {
    rate: applied / seconds,
    count: applied,
    errors: 0,
    p50: histogramQuantile(before, after, 0.5),
    p99: histogramQuantile(before, after, 0.99),
    drained,
  };
}
