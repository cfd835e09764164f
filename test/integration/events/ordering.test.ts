import type { CloudEvent } from '../../../lib/events';
import { eventually } from '../../utils/graphqlClient';
import { createEventsHarness, sleep, updated } from './eventsHarness';

jest.setTimeout(120_000);

describe('createPartitionedConsumer ordering', () => {
  let harness: Awaited<ReturnType<typeof createEventsHarness>>;
  beforeEach(async () => {
    harness = await createEventsHarness(6);
  });
  afterEach(() => harness.stop());

  it('should keep per-key order with 6 partitions and 3 consumers while one is killed', async () => {
    const KEYS = 30;
    const PER_KEY = 20;
    // What each key has seen, in application order (redeliveries after a rebalance included).
    const applied = new Map<string, number[]>();
    const handler = async (event: CloudEvent) => {
      await sleep(Math.random() * 4);
      const list = applied.get(event.subject) ?? [];
      list.push(event.sequence);
      applied.set(event.subject, list);
    };
    const group = harness.group();
    const members = await Promise.all(
      [1, 2, 3].map(() =>
        harness.consumer({
          groupId: group,
          handlers: { 'component.updated': handler },
          metrics: harness.metrics,
          maxInFlightPerPartition: 8,
        }),
      ),
    );
    const keys = Array.from({ length: KEYS }, (_, i) => `agg-${i}`);
    for (let seq = 1; seq <= PER_KEY / 2; seq++) {
      await harness.publish(keys.map((key) => updated(key, seq)));
    }
    // Kill one member mid-stream: the group rebalances and its partitions move.
    await eventually(async () => (applied.size > 0 ? true : undefined));
    await members[1]!.stop();
    for (let seq = PER_KEY / 2 + 1; seq <= PER_KEY; seq++) {
      await harness.publish(keys.map((key) => updated(key, seq)));
    }
    await eventually(
      async () =>
        keys.every((key) => new Set(applied.get(key)).size === PER_KEY) ? true : undefined,
      90_000,
    );
    for (const key of keys) {
      const seen = applied.get(key)!;
      // A redelivery may repeat a prefix, but a key never jumps ahead or goes back past what it had.
      let max = 0;
      for (const seq of seen) {
        expect(seq).toBeLessThanOrEqual(max + 1);
        max = Math.max(max, seq);
      }
      expect(max).toBe(PER_KEY);
    }
  });

  it('should keep the member in the group through a handler longer than the session timeout', async () => {
    const calls: string[] = [];
    const consumer = await harness.consumer({
      groupId: harness.group('slow'),
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      handlers: {
        'component.updated': async (event: CloudEvent) => {
          calls.push(event.subject);
          if (event.subject === 'slow') await sleep(9_000);
        },
      },
    });
    expect(consumer.groupId).toBe(harness.group('slow'));
    await harness.publish([updated('slow', 1), updated('other', 1)]);
    await eventually(async () => (calls.includes('slow') ? true : undefined));
    const admin = harness.admin;
    const before = await admin.describeGroups([harness.group('slow')]);
    await sleep(10_000);
    const after = await admin.describeGroups([harness.group('slow')]);
    expect(before.groups[0]!.members).toHaveLength(1);
    expect(after.groups[0]!.state).toBe('Stable');
    expect(after.groups[0]!.members.map((m) => m.memberId)).toEqual(
      before.groups[0]!.members.map((m) => m.memberId),
    );
    // Not redelivered: the member was never evicted, so nobody else took the partition.
    expect(calls.filter((key) => key === 'slow')).toEqual(['slow']);
  });
});
