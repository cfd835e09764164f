import type { ExecutionResult } from 'graphql';
import { createLogger } from '../../../lib/logging';
import { createEvent } from '../../../lib/events';
import { topicNames } from '../../../lib/kafka';
import { createClientQueue } from '../../../gateway/src/subscriptions/clientQueue';
import { createEventRouter } from '../../../gateway/src/subscriptions/eventRouter';
import {
  WORKFLOW_SUBSCRIPTION_FIELDS,
  type FeedEvent,
} from '../../../gateway/src/subscriptions/fieldConfig';
import { HistoryLoadError } from '../../../gateway/src/subscriptions/historyLoader';
import { createMemoryEventSource } from '../../../gateway/src/subscriptions/memoryEventSource';
import {
  createSubscriptionFeed,
  type FeedClient,
  type SubscriptionFeedOptions,
} from '../../../gateway/src/subscriptions/subscriptionFeed';
import type { StreamSnapshot } from '../../../gateway/src/subscriptions/snapshotLoader';
import { eventually } from '../../utils/graphqlClient';

const config = WORKFLOW_SUBSCRIPTION_FIELDS.runProgress!;
const logger = createLogger({ name: 'test', level: 'silent' });
const topics = topicNames('');
const stored = (sequence: number, kind = 'TRANSITIONED'): FeedEvent => ({
  id: `r1:${sequence}`,
  stream: 'r1',
  sequence,
  cursor: String(sequence).padStart(4, '0'),
  terminal: kind === 'COMPLETED',
  data: { kind },
  result: { data: { runProgress: { id: `r1:${sequence}`, kind: 'X' } } },
});
const live = (sequence: number, type = 'workflow.run.transitioned') =>
  createEvent({
    type,
    source: 'test',
    subject: 'r1',
    sequence,
    data: {
      id: `r1:${sequence}`,
      runId: 'r1',
      sequence,
      cursor: String(sequence).padStart(4, '0'),
    },
  });
/** Waits until `condition` holds (polling; never a fixed delay). */
const until = (condition: () => boolean) =>
  eventually(async () => (condition() ? true : undefined), 5_000, 2);

/** The current state as the workflow subgraph reports it: the latest stored event's position. */
const snapshotOf = (history: FeedEvent[], status = 'RUNNING'): StreamSnapshot | undefined => {
  const latest = history.at(-1);
  if (!latest) return undefined;
  return {
    result: { data: { runProgress: { id: `r1:snapshot:${latest.sequence}`, kind: 'SNAPSHOT' } } },
    stream: 'r1',
    sequence: latest.sequence,
    cursor: latest.cursor,
    terminal: status !== 'RUNNING',
  };
};

/** A recording client; `room` answers waitForRoom (always room unless told otherwise). */
function recorder() {
  const received: ExecutionResult[] = [];
  let completed = false;
  const client: FeedClient = {
    push: (result) => received.push(result),
    complete: () => (completed = true),
    waitForRoom: async () => undefined,
  };
  const ids = () => received.map((r) => (r.data?.runProgress as { id: string } | undefined)?.id);
  return { client, received, ids, isCompleted: () => completed };
}

function startFeed(
  history: FeedEvent[],
  args: Record<string, unknown> = { runId: 'r1' },
  status = 'RUNNING',
  overrides: Partial<SubscriptionFeedOptions> = {},
) {
  const source = createMemoryEventSource();
  const router = createEventRouter(source, topics, WORKFLOW_SUBSCRIPTION_FIELDS);
  const historyPages: (string | undefined)[] = [];
  let ended = 0;
  const feed = createSubscriptionFeed({
    config,
    args,
    listen: (listener) => router.listen('runProgress', 'r1', listener),
    source,
    logger,
    retainLimit: 50,
    execute: async (id) => ({ data: { runProgress: { id, kind: 'X' } } }),
    // Pages of two, like the real loader's pages (of 100).
    loadHistory: async function* (after) {
      const rest = history.filter((e) => after === undefined || e.cursor > after);
      for (let i = 0; i < rest.length; i += 2) {
        historyPages.push(after);
        yield rest.slice(i, i + 2);
      }
    },
    loadSnapshot: async () => snapshotOf(history, status),
    onEnd: () => ended++,
    ...overrides,
  });
  const first = recorder();
  feed.join(first.client);
  const publish = (event: ReturnType<typeof live>) =>
    source.publish(topics.events('workflow'), event);
  return { ...first, feed, publish, history, historyPages, endedCount: () => ended };
}

describe('createSubscriptionFeed', () => {
  it('should send the current state first, then only events after it', async () => {
    const history = [stored(1), stored(2)];
    const { publish, ids } = startFeed(history);
    await until(() => ids().length === 1);
    history.push(stored(3));
    publish(live(2));
    publish(live(3));
    await until(() => ids().length === 2);
    expect(ids()).toEqual(['r1:snapshot:2', 'r1:3']);
  });

  it('should complete at once when the snapshot is already terminal', async () => {
    const { ids, isCompleted } = startFeed(
      [stored(1), stored(2, 'COMPLETED')],
      undefined,
      'FAILED',
    );
    await until(isCompleted);
    expect(ids()).toEqual(['r1:snapshot:2']);
  });

  it('should end with NOT_FOUND when the stream does not exist', async () => {
    const { received, isCompleted } = startFeed([]);
    await until(isCompleted);
    expect(received).toHaveLength(1);
    expect(received[0]?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('should drop live duplicates and fill a gap in sequence from the store', async () => {
    const history = [stored(1)];
    const { publish, ids } = startFeed(history);
    await until(() => ids().length === 1);
    history.push(stored(2), stored(3));
    publish(live(3));
    await until(() => ids().length === 3);
    publish(live(2));
    publish(live(3));
    publish(live(4, 'workflow.run.completed'));
    await until(() => ids().length === 4);
    expect(ids()).toEqual(['r1:snapshot:1', 'r1:2', 'r1:3', 'r1:4']);
  });

  it('should complete after a terminal event', async () => {
    const { publish, isCompleted, ids } = startFeed([stored(1)]);
    await until(() => ids().length === 1);
    publish(live(2, 'workflow.run.completed'));
    await until(isCompleted);
    expect(ids()).toEqual(['r1:snapshot:1', 'r1:2']);
  });

  it('should replay only events after the cursor when resuming, a page per query', async () => {
    const history = [1, 2, 3, 4, 5].map((n) => stored(n));
    const { ids, historyPages } = startFeed(history, { runId: 'r1', after: '0001' });
    await until(() => ids().length === 4);
    expect(ids()).toEqual(['r1:2', 'r1:3', 'r1:4', 'r1:5']);
    // Four events in two pages of the history query, and none fetched one by one.
    expect(historyPages).toHaveLength(2);
  });

  it("should pace a replay by the clients' buffers", async () => {
    const history = [1, 2, 3, 4].map((n) => stored(n));
    let release: (() => void) | undefined;
    const source = createMemoryEventSource();
    const router = createEventRouter(source, topics, WORKFLOW_SUBSCRIPTION_FIELDS);
    const feed = createSubscriptionFeed({
      config,
      args: { runId: 'r1', after: '0000' },
      listen: (listener) => router.listen('runProgress', 'r1', listener),
      source,
      logger,
      retainLimit: 50,
      execute: async (id) => ({ data: { runProgress: { id } } }),
      loadHistory: async function* () {
        yield history.slice(0, 2);
        yield history.slice(2);
      },
      onEnd: () => undefined,
    });
    const received: ExecutionResult[] = [];
    let asked = 0;
    feed.join({
      push: (r) => received.push(r),
      complete: () => undefined,
      waitForRoom: () => {
        asked++;
        // Room for the first page at once; the second waits for the client.
        return asked === 1 ? Promise.resolve() : new Promise((resolve) => (release = resolve));
      },
    });
    await until(() => received.length === 2 && release !== undefined);
    expect(received).toHaveLength(2);
    release?.();
    await until(() => received.length === 4);
  });

  it("should end with the subgraph's BAD_USER_INPUT when it refuses the cursor", async () => {
    const refusal = [{ message: 'after: not a cursor', extensions: { code: 'BAD_USER_INPUT' } }];
    const { received, isCompleted } = startFeed(
      [],
      { runId: 'r1', after: 'garbage!!' },
      'RUNNING',
      {
        // eslint-disable-next-line require-yield
        loadHistory: async function* () {
          throw new HistoryLoadError('refused', refusal);
        },
      },
    );
    await until(isCompleted);
    expect(received.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('should mask an unexpected failure as INTERNAL_SERVER_ERROR with a correlation id', async () => {
    const { received, isCompleted } = startFeed([stored(1)], undefined, 'RUNNING', {
      loadSnapshot: async () => {
        throw new Error('secret internals at /srv/app.js:12');
      },
    });
    await until(isCompleted);
    const error = received[0]?.errors?.[0];
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error?.extensions?.correlationId).toEqual(expect.any(String));
    expect(error?.message).not.toContain('secret');
  });

  it('late joiner: should hand a client joining a running feed the whole stream so far', async () => {
    const history = [stored(1)];
    const { publish, ids, feed } = startFeed(history);
    await until(() => ids().length === 1);
    for (let n = 2; n <= 40; n++) {
      history.push(stored(n));
      publish(live(n));
    }
    await until(() => ids().length === 40);
    expect(feed.joinable).toBe(true);
    const late = recorder();
    const queue = createClientQueue({
      limit: 100,
      onOverflow: () => {
        throw new Error('a late joiner must not overflow');
      },
      onReturn: () => undefined,
    });
    feed.join({ ...late.client, push: (r) => (queue.push(r), late.client.push(r)) });
    expect(late.ids()).toEqual(ids());
    expect(queue.size).toBe(40);
  });

  it('late joiner: should stop being joinable once it has sent more than it retains', async () => {
    const history = [stored(1)];
    const { publish, ids, feed } = startFeed(history, undefined, 'RUNNING', { retainLimit: 3 });
    await until(() => ids().length === 1);
    for (let n = 2; n <= 4; n++) publish(live(n));
    await until(() => ids().length === 4);
    expect(feed.joinable).toBe(false);
  });

  it('dead clients: a client that overflows while joining is removed and the feed ends with it', async () => {
    const history = [stored(1)];
    const { publish, ids, feed, endedCount, client } = startFeed(history);
    await until(() => ids().length === 1);
    publish(live(2));
    await until(() => ids().length === 2);
    const queue = createClientQueue({
      limit: 1,
      onOverflow: () => feed.leave(dead),
      onReturn: () => undefined,
    });
    const dead: FeedClient = {
      push: (r) => queue.push(r),
      complete: () => queue.complete(),
      waitForRoom: async () => undefined,
    };
    feed.join(dead);
    feed.leave(client);
    // The dead client was not kept: with the first client gone, the feed has none and ends.
    expect(endedCount()).toBe(1);
  });

  it('feeds end with their last client (runsChanged too)', async () => {
    const source = createMemoryEventSource();
    const router = createEventRouter(source, topics, WORKFLOW_SUBSCRIPTION_FIELDS);
    let ended = 0;
    const feed = createSubscriptionFeed({
      config: WORKFLOW_SUBSCRIPTION_FIELDS.runsChanged!,
      args: {},
      listen: (listener) => router.listen('runsChanged', undefined, listener),
      source,
      logger,
      retainLimit: 50,
      execute: async (id) => ({ data: { runsChanged: { id } } }),
      loadInitialStates: async () => [],
      onEnd: () => ended++,
    });
    const a = recorder();
    const b = recorder();
    feed.join(a.client);
    feed.join(b.client);
    source.publish(topics.events('workflow'), live(1));
    await until(() => a.received.length === 1 && b.received.length === 1);
    feed.leave(a.client);
    expect(ended).toBe(0);
    feed.leave(b.client);
    expect(ended).toBe(1);
    expect(feed.joinable).toBe(false);
  });
});

describe('createClientQueue', () => {
  it('should report an overflow past its limit instead of growing', () => {
    let overflowed = 0;
    const queue = createClientQueue({
      limit: 2,
      onOverflow: () => overflowed++,
      onReturn: () => undefined,
    });
    for (let i = 0; i < 5; i++) queue.push({ data: { i } });
    expect(overflowed).toBe(1);
    expect(queue.size).toBe(0);
  });

  it('should hand pushed results to a waiting reader in order', async () => {
    const queue = createClientQueue({
      limit: 10,
      onOverflow: () => undefined,
      onReturn: () => undefined,
    });
    const first = queue.next();
    queue.push({ data: { i: 1 } });
    queue.push({ data: { i: 2 } });
    queue.complete();
    expect(await first).toEqual({ value: { data: { i: 1 } }, done: false });
    expect(await queue.next()).toEqual({ value: { data: { i: 2 } }, done: false });
    expect((await queue.next()).done).toBe(true);
  });

  it('should write to the connection at once with a writer, which says when the client is too slow', async () => {
    const written: unknown[] = [];
    const unflushed: (() => void)[] = [];
    let overflowed = 0;
    let slow: (() => void) | undefined;
    const queue = createClientQueue({
      limit: 2,
      onOverflow: () => overflowed++,
      onReturn: () => undefined,
      writer: {
        write: (result, flushed, tooSlow) => {
          written.push(result.data);
          unflushed.push(flushed);
          slow = tooSlow;
        },
      },
    });
    queue.push({ data: { i: 1 } });
    queue.push({ data: { i: 2 } });
    expect(written).toEqual([{ i: 1 }, { i: 2 }]);
    expect(queue.size).toBe(2);
    // Pacing: room for one more once the connection has taken one.
    let roomy = false;
    void queue.waitForRoom(1).then(() => (roomy = true));
    unflushed.shift()?.();
    await until(() => roomy);
    // A gateway that is behind is not a slow client: only the writer decides that.
    queue.push({ data: { i: 3 } });
    queue.push({ data: { i: 4 } });
    expect(overflowed).toBe(0);
    slow?.();
    slow?.();
    expect(overflowed).toBe(1);
    queue.push({ data: { i: 5 } });
    expect(written).toHaveLength(4);
    expect((await queue.next()).done).toBe(true);
  });

  it('should end the iterator only after the connection has taken the last result', async () => {
    const unflushed: (() => void)[] = [];
    const queue = createClientQueue({
      limit: 10,
      onOverflow: () => undefined,
      onReturn: () => undefined,
      writer: { write: (_result, flushed) => unflushed.push(flushed) },
    });
    queue.push({ data: { last: true } });
    queue.complete();
    let ended = false;
    void queue.next().then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false);
    unflushed.shift()?.();
    await until(() => ended);
  });
});
