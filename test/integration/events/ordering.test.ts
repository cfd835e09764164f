import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent } from '../../../lib/events';
import { eventually } from '../../utils/graphqlClient';
import { brokers, createEventsHarness, sleep, updated } from './eventsHarness';

const MEMBER = join(__dirname, 'fixtures', 'consumerProcess.ts');

jest.setTimeout(120_000);

describe('createPartitionedConsumer ordering', () => {
  let harness: Awaited<ReturnType<typeof createEventsHarness>>;
  beforeEach(async () => {
    harness = await createEventsHarness(6);
  });
  afterEach(() => harness.stop());

  it('should keep per-key order with 6 partitions and 3 member processes while one is SIGKILLed', async () => {
    const KEYS = 30;
    const PER_KEY = 20;
    const file = join(mkdtempSync(join(tmpdir(), 'order-')), 'applied.log');
    writeFileSync(file, '');
    const group = harness.group();
    const members: ChildProcess[] = [1, 2, 3].map(() =>
      spawn(
        process.execPath,
        ['--import', 'tsx', MEMBER, brokers.join(','), harness.topic, group, file],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      ),
    );
    const lines = () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ') as [string, string, string]);
    try {
      await eventually(
        async () => (lines().filter(([k]) => k === 'started').length === 3 ? true : undefined),
        60_000,
      );
      const keys = Array.from({ length: KEYS }, (_, i) => `agg-${i}`);
      for (let seq = 1; seq <= PER_KEY / 2; seq++) {
        await harness.publish(keys.map((key) => updated(key, seq)));
      }
      // Kill a member that is handling events, without any chance to commit or leave the group.
      const victim = await eventually(async () => {
        const pids = new Set(
          lines()
            .filter(([k]) => k !== 'started')
            .map(([, , pid]) => pid),
        );
        return members.find((m) => pids.has(String(m.pid)));
      });
      const exited = once(victim, 'exit');
      victim.kill('SIGKILL');
      await exited;
      for (let seq = PER_KEY / 2 + 1; seq <= PER_KEY; seq++) {
        await harness.publish(keys.map((key) => updated(key, seq)));
      }
      const applied = await eventually(async () => {
        const byKey = new Map<string, number[]>();
        for (const [key, seq] of lines()) {
          if (key !== 'started') byKey.set(key, [...(byKey.get(key) ?? []), Number(seq)]);
        }
        return keys.every((key) => new Set(byKey.get(key)).size === PER_KEY) ? byKey : undefined;
      }, 90_000);
      for (const key of keys) {
        // A redelivery may repeat a prefix, but a key never jumps ahead or skips a sequence.
        let max = 0;
        for (const seq of applied.get(key)!) {
          expect(seq).toBeLessThanOrEqual(max + 1);
          max = Math.max(max, seq);
        }
        expect(max).toBe(PER_KEY);
      }
      // The victim's partitions moved: its keys were finished by a surviving process.
      const victimKeys = new Set(
        lines()
          .filter(([key, , pid]) => key !== 'started' && pid === String(victim.pid))
          .map(([key]) => key),
      );
      const finishedElsewhere = lines().filter(
        ([key, seq, pid]) =>
          victimKeys.has(key) && seq === String(PER_KEY) && pid !== String(victim.pid),
      );
      expect(victimKeys.size).toBeGreaterThan(0);
      expect(finishedElsewhere.length).toBeGreaterThanOrEqual(victimKeys.size);
    } finally {
      for (const member of members) if (member.exitCode === null) member.kill('SIGTERM');
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
