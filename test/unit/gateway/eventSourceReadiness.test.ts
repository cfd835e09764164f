import { buildSchema, parse, print, type ExecutionResult } from 'graphql';
import { createEvent } from '../../../lib/events';
import { topicNames } from '../../../lib/kafka';
import { createLogger } from '../../../lib/logging';
import {
  createMemoryEventSource,
  createSubscriptionManager,
  LIVE_EVENTS_UNAVAILABLE,
  WORKFLOW_SUBSCRIPTION_FIELDS,
  type MemoryEventSource,
  type PreparedSubscription,
} from '../../../gateway/src/subscriptions';
import { createEventRouter } from '../../../gateway/src/subscriptions/eventRouter';
import { createSubscriptionFeed } from '../../../gateway/src/subscriptions/subscriptionFeed';

const logger = createLogger({ name: 'test', level: 'silent' });
const topics = topicNames('');
const topic = topics.events('workflow');

const schema = buildSchema(/* GraphQL */ `
  type RunProgressEvent {
    id: ID!
    runId: ID!
    sequence: Int!
    cursor: String!
    kind: String!
    status: String!
  }
  input RunFilter {
    status: [String!]
  }
  type Query {
    runProgressEvent(id: ID!): RunProgressEvent
    runProgressEvents(runId: ID!, after: String, first: Int): [RunProgressEvent!]!
    runProgressSnapshot(runId: ID!): RunProgressEvent
  }
  type Subscription {
    runProgress(runId: ID!, after: String): RunProgressEvent!
    runsChanged(filter: RunFilter): RunProgressEvent!
  }
`);

const RUN_PROGRESS = parse(/* GraphQL */ `
  subscription ($runId: ID!, $after: String) {
    runProgress(runId: $runId, after: $after) {
      sequence
      cursor
      kind
    }
  }
`);

interface Stored {
  id: string;
  runId: string;
  sequence: number;
  cursor: string;
  kind: 'STARTED' | 'TRANSITIONED' | 'COMPLETED';
  status: string;
}

const EVENT_TYPES = {
  STARTED: 'workflow.run.started',
  TRANSITIONED: 'workflow.run.transitioned',
  COMPLETED: 'workflow.run.completed',
} as const;

const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

/** A run store like the workflow subgraph's, events published to the source like its outbox. */
function setup({ ready = true, readyWaitMs = 10_000, unavailableGraceMs = 0 } = {}) {
  const source: MemoryEventSource = createMemoryEventSource({ ready });
  const stored: Stored[] = [];
  let executions = 0;
  const manager = createSubscriptionManager({
    fields: WORKFLOW_SUBSCRIPTION_FIELDS,
    topics,
    source,
    logger,
    readyWaitMs,
    unavailableGraceMs,
    execute: async (document, variables) => {
      executions++;
      const text = print(document);
      if (text.includes('runProgressEvents(')) {
        // A history page: the client's selection plus the positions the gateway asks for.
        const after = variables.__historyAfter as string | null;
        return {
          data: {
            runProgress: stored
              .filter(
                (e) =>
                  e.runId === variables.__historyStream && (after === null || e.cursor > after),
              )
              .map((e) => ({
                sequence: e.sequence,
                cursor: e.cursor,
                kind: e.kind,
                __feedId: e.id,
                __feedSequence: e.sequence,
                __feedCursor: e.cursor,
                __feedKind: e.kind,
              })),
          },
        };
      }
      if (text.includes('runProgressSnapshot')) {
        const latest = stored.filter((e) => e.runId === variables.__eventId).at(-1);
        return {
          data: {
            runProgress: latest && {
              sequence: latest.sequence,
              cursor: latest.cursor,
              kind: 'SNAPSHOT',
              __feedSequence: latest.sequence,
              __feedCursor: latest.cursor,
              __feedStatus: latest.status,
            },
          },
        };
      }
      // The event query answers under the subscription's response key (an alias of the field).
      const key = /(\w+): runProgressEvent\(/.exec(text)?.[1] ?? 'runProgressEvent';
      const event = stored.find((e) => e.id === variables.__eventId);
      return {
        data: {
          [key]: event && { sequence: event.sequence, cursor: event.cursor, kind: event.kind },
        },
      };
    },
  });
  /** Stores an event, then publishes it (dropped by the source while it is not ready). */
  const emit = (runId: string, kind: Stored['kind']) => {
    const sequence = stored.filter((e) => e.runId === runId).length + 1;
    const event: Stored = {
      id: `${runId}:${sequence}`,
      runId,
      sequence,
      cursor: String(sequence).padStart(6, '0'),
      kind,
      status: kind === 'COMPLETED' ? 'SUCCEEDED' : 'RUNNING',
    };
    stored.push(event);
    source.publish(
      topic,
      createEvent({
        type: EVENT_TYPES[kind],
        source: 'test',
        subject: runId,
        sequence,
        data: { id: event.id, runId, sequence, cursor: event.cursor, status: event.status },
      }),
    );
    return event;
  };
  const subscribe = async (variables: Record<string, unknown>, document = RUN_PROGRESS) => {
    const prepared = await manager.prepare(
      { schema, document, variableValues: variables },
      { principal: 'a' },
    );
    if (Array.isArray(prepared)) throw new Error(prepared.map((e) => e.message).join('; '));
    return manager.subscribe(prepared as PreparedSubscription, () => undefined);
  };
  return { source, manager, emit, subscribe, executions: () => executions };
}

type Stream = AsyncIterableIterator<ExecutionResult>;

/** The next message of a subscription, or 'done'; fails instead of waiting forever. */
async function nextOf(stream: Stream, timeoutMs = 2_000): Promise<ExecutionResult | 'done'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
  });
  try {
    const next = await Promise.race([stream.next(), timeout]);
    return next.done ? 'done' : next.value;
  } finally {
    clearTimeout(timer);
  }
}

const progressOf = (result: ExecutionResult | 'done') =>
  result === 'done'
    ? 'done'
    : result.errors
      ? result.errors.map((e) => e.extensions?.code)
      : (result.data?.runProgress as { sequence: number; kind: string }).sequence;

describe('subscriptions while the event source is not ready', () => {
  it('should answer SERVICE_UNAVAILABLE, then complete, when the source stays not ready', async () => {
    const { emit, subscribe, manager, executions } = setup({ ready: false, readyWaitMs: 20 });
    emit('r1', 'STARTED');
    const stream = await subscribe({ runId: 'r1' });
    const first = await nextOf(stream);
    expect(first).not.toBe('done');
    const error = (first as ExecutionResult).errors?.[0];
    expect(error?.extensions?.code).toBe(LIVE_EVENTS_UNAVAILABLE);
    expect(error?.message).toMatch(/live events are unavailable.*subscribe again later/i);
    expect(await nextOf(stream)).toBe('done');
    expect(executions()).toBe(0);
    expect(manager.activeSubscriptions).toBe(0);
    expect(manager.activeFeeds).toBe(0);
  });

  it('should wait for the source, then send the current state and the live events', async () => {
    const { source, emit, subscribe, manager, executions } = setup({ ready: false });
    emit('r1', 'STARTED');
    const stream = await subscribe({ runId: 'r1' });
    // While waiting: no snapshot yet (it would miss events published before the source joined).
    emit('r1', 'TRANSITIONED');
    await flush();
    expect(executions()).toBe(0);
    expect(manager.activeSubscriptions).toBe(1);
    source.setReady(true);
    expect(progressOf(await nextOf(stream))).toBe(2);
    emit('r1', 'TRANSITIONED');
    emit('r1', 'COMPLETED');
    expect([
      progressOf(await nextOf(stream)),
      progressOf(await nextOf(stream)),
      progressOf(await nextOf(stream)),
    ]).toEqual([3, 4, 'done']);
  });

  it('should forget a waiting subscription the client left, and complete waiting ones on close', async () => {
    const { source, subscribe, manager, executions } = setup({ ready: false });
    const left = await subscribe({ runId: 'r1' });
    const closed = await subscribe({ runId: 'r2' });
    expect(manager.activeSubscriptions).toBe(2);
    await left.return!();
    expect(manager.activeSubscriptions).toBe(1);
    manager.close();
    expect(await nextOf(closed)).toBe('done');
    source.setReady(true);
    await flush();
    expect(manager.activeSubscriptions).toBe(0);
    expect(manager.activeFeeds).toBe(0);
    expect(executions()).toBe(0);
  });

  it('should keep feeds through a blip of the source shorter than the grace, missing nothing', async () => {
    const { source, emit, subscribe, manager } = setup({ unavailableGraceMs: 60_000 });
    emit('r1', 'STARTED');
    const stream = await subscribe({ runId: 'r1' });
    expect(progressOf(await nextOf(stream))).toBe(1);
    source.setReady(false);
    // Published while the member rejoins: stored, not delivered live (the memory source drops it).
    emit('r1', 'TRANSITIONED');
    source.setReady(true);
    emit('r1', 'COMPLETED');
    // The gap (2) is filled from the store before 3.
    expect(progressOf(await nextOf(stream))).toBe(2);
    expect(progressOf(await nextOf(stream))).toBe(3);
    expect(await nextOf(stream)).toBe('done');
    expect(manager.activeFeeds).toBe(0);
  });

  it('should end active subscriptions with SERVICE_UNAVAILABLE when the source drops, and replay what they missed on resume', async () => {
    const { source, emit, subscribe, manager } = setup({ readyWaitMs: 5_000 });
    emit('r1', 'STARTED');
    const first = await subscribe({ runId: 'r1' });
    const second = await subscribe({ runId: 'r1' });
    const watcher = await subscribe(
      {},
      parse('subscription { runsChanged(filter: { status: ["RUNNING"] }) { sequence } }'),
    );
    expect(manager.activeFeeds).toBe(2);
    expect(progressOf(await nextOf(first))).toBe(1);
    const seen = emit('r1', 'TRANSITIONED');
    expect(progressOf(await nextOf(first))).toBe(2);

    source.setReady(false);
    expect(progressOf(await nextOf(first))).toEqual([LIVE_EVENTS_UNAVAILABLE]);
    expect(await nextOf(first)).toBe('done');
    // The other subscriber of the shared feed got everything up to the error too.
    const others: unknown[] = [];
    for (let result = await nextOf(second); result !== 'done'; result = await nextOf(second))
      others.push(progressOf(result));
    expect(others).toEqual([1, 2, [LIVE_EVENTS_UNAVAILABLE]]);
    // The many-stream subscription (live from its start, as no snapshot field is served) too.
    const watched: ExecutionResult[] = [];
    for (let result = await nextOf(watcher); result !== 'done'; result = await nextOf(watcher))
      watched.push(result);
    expect(watched.map((r) => r.errors?.[0]?.extensions?.code ?? r.data)).toEqual([
      { runsChanged: { sequence: 2, cursor: '000002', kind: 'TRANSITIONED' } },
      LIVE_EVENTS_UNAVAILABLE,
    ]);
    expect(manager.activeSubscriptions).toBe(0);
    expect(manager.activeFeeds).toBe(0);

    // Missed while the source is down: stored, but not delivered live.
    emit('r1', 'TRANSITIONED');
    emit('r1', 'TRANSITIONED');
    const resumed = await subscribe({ runId: 'r1', after: seen.cursor });
    source.setReady(true);
    expect(progressOf(await nextOf(resumed))).toBe(3);
    expect(progressOf(await nextOf(resumed))).toBe(4);
    emit('r1', 'COMPLETED');
    expect(progressOf(await nextOf(resumed))).toBe(5);
    expect(await nextOf(resumed)).toBe('done');
  });

  it('should end a feed created while the source is not ready with SERVICE_UNAVAILABLE', async () => {
    const source = createMemoryEventSource({ ready: false });
    let executed = false;
    const feed = createSubscriptionFeed({
      config: WORKFLOW_SUBSCRIPTION_FIELDS.runProgress!,
      args: { runId: 'r1' },
      listen: (listener) =>
        createEventRouter(source, topics, WORKFLOW_SUBSCRIPTION_FIELDS).listen(
          'runProgress',
          'r1',
          listener,
        ),
      source,
      retainLimit: 50,
      logger,
      execute: async () => {
        executed = true;
        return { data: null };
      },
      onEnd: () => undefined,
    });
    const received: ExecutionResult[] = [];
    let completed = false;
    feed.join({
      push: (r) => received.push(r),
      complete: () => (completed = true),
      waitForRoom: async () => undefined,
    });
    await flush();
    expect(received.map((r) => r.errors?.[0]?.extensions?.code)).toEqual([LIVE_EVENTS_UNAVAILABLE]);
    expect(completed).toBe(true);
    expect(executed).toBe(false);
    expect(feed.joinable).toBe(false);
  });
});
