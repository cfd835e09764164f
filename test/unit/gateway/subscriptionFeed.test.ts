import type { ExecutionResult } from 'graphql';
import { createLogger } from '../../../lib/logging';
import { createEvent } from '../../../lib/events';
import {
  WORKFLOW_SUBSCRIPTION_FIELDS,
  type FeedEvent,
} from '../../../gateway/src/subscriptions/fieldConfig';
import { createMemoryEventSource } from '../../../gateway/src/subscriptions/memoryEventSource';
import { createSubscriptionFeed } from '../../../gateway/src/subscriptions/subscriptionFeed';
import { createClientQueue } from '../../../gateway/src/subscriptions/clientQueue';
import type { StreamSnapshot } from '../../../gateway/src/subscriptions/snapshotLoader';

const config = WORKFLOW_SUBSCRIPTION_FIELDS.runProgress!;
const logger = createLogger({ name: 'test', level: 'silent' });
const stored = (sequence: number, kind = 'TRANSITIONED'): FeedEvent => ({
  id: `r1:${sequence}`,
  stream: 'r1',
  sequence,
  cursor: String(sequence).padStart(4, '0'),
  terminal: kind === 'COMPLETED',
  data: { kind },
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
const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

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

function startFeed(
  history: FeedEvent[],
  args: Record<string, unknown> = { runId: 'r1' },
  status = 'RUNNING',
) {
  const source = createMemoryEventSource();
  const received: ExecutionResult[] = [];
  let completed = false;
  const feed = createSubscriptionFeed({
    config,
    args,
    topic: 'workflow',
    source,
    logger,
    execute: async (id) => ({ data: { runProgress: { id, kind: 'X' } } }),
    loadHistory: async (after) => history.filter((e) => after === undefined || e.cursor > after),
    loadSnapshot: async () => snapshotOf(history, status),
    onEnd: () => undefined,
  });
  feed.join({ push: (r) => received.push(r), complete: () => (completed = true) });
  const ids = () => received.map((r) => (r.data?.runProgress as { id: string }).id);
  return { source, received, ids, isCompleted: () => completed, history };
}

describe('createSubscriptionFeed', () => {
  it('should send the current state first, then only events after it', async () => {
    const history = [stored(1), stored(2)];
    const { source, ids } = startFeed(history);
    await flush();
    history.push(stored(3));
    source.publish('workflow', live(2));
    source.publish('workflow', live(3));
    await flush();
    expect(ids()).toEqual(['r1:snapshot:2', 'r1:3']);
  });

  it('should complete at once when the snapshot is already terminal', async () => {
    const { ids, isCompleted } = startFeed(
      [stored(1), stored(2, 'COMPLETED')],
      undefined,
      'FAILED',
    );
    await flush();
    expect(ids()).toEqual(['r1:snapshot:2']);
    expect(isCompleted()).toBe(true);
  });

  it('should end with NOT_FOUND when the stream does not exist', async () => {
    const { received, isCompleted } = startFeed([]);
    await flush();
    expect(received).toHaveLength(1);
    expect(received[0]?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(isCompleted()).toBe(true);
  });

  it('should drop live duplicates and fill a gap in sequence from the store', async () => {
    const history = [stored(1)];
    const { source, ids } = startFeed(history);
    await flush();
    history.push(stored(2), stored(3));
    source.publish('workflow', live(3));
    await flush();
    source.publish('workflow', live(2));
    source.publish('workflow', live(3));
    await flush();
    expect(ids()).toEqual(['r1:snapshot:1', 'r1:2', 'r1:3']);
  });

  it('should complete after a terminal event', async () => {
    const { source, isCompleted } = startFeed([stored(1)]);
    await flush();
    source.publish('workflow', live(2, 'workflow.run.completed'));
    await flush();
    expect(isCompleted()).toBe(true);
  });

  it('should replay only events after the cursor when resuming', async () => {
    const { ids } = startFeed([stored(1), stored(2), stored(3)], { runId: 'r1', after: '0001' });
    await flush();
    expect(ids()).toEqual(['r1:2', 'r1:3']);
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
});
