import { once } from 'node:events';
import { AssignerProtocol, type Admin } from 'kafkajs';
import type { CloudEvent } from '../../../lib/events';
import { eventually } from '../../utils/graphqlClient';
import {
  allApplied,
  deliveryReport,
  newMemberLogFile,
  readMemberLog,
  spawnMember,
  stopMember,
  type AppliedLine,
} from '../resilience/memberLog';
import { brokers, createEventsHarness, sleep, updated } from './eventsHarness';

jest.setTimeout(120_000);

/** Partitions assigned to each member of a group, by client id (`member-<pid>`). */
async function assignments(admin: Admin, groupId: string) {
  const [group] = (await admin.describeGroups([groupId])).groups;
  return new Map(
    (group?.members ?? []).map((member) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const partitions = Object.values(decoded?.assignment ?? {}).flat();
      return [member.clientId, partitions] as const;
    }),
  );
}

describe('Kafka transport ordering', () => {
  let harness: Awaited<ReturnType<typeof createEventsHarness>>;
  beforeEach(async () => {
    harness = await createEventsHarness(6);
  });
  afterEach(() => harness.stop());

  it('should lose nothing and keep per-key order when one of two member processes is SIGKILLed under load, and use both again once it is restarted', async () => {
    const PARTITIONS = 6;
    const KEYS = 40;
    const WAVE1 = 80; // sequences per key published around the kill
    const WAVE2 = 10; // sequences per key published once the restarted member runs
    const file = newMemberLogFile('order-');
    const groupId = harness.group();
    const keys = Array.from({ length: KEYS }, (_, i) => `agg-${i}`);
    // Slow enough handlers that the kill lands while both members still have a backlog.
    const memberEnv = { MEMBER_HANDLER_MS: '10', MEMBER_MAX_IN_FLIGHT: '2' };
    const start = () =>
      spawnMember({
        brokers: brokers.join(','),
        topic: harness.topic,
        groupId,
        file,
        env: memberEnv,
      });
    const log = () => readMemberLog(file);
    const runningSince = (pid: number | undefined) =>
      log().states.find((s) => s.pid === pid && s.state === 'running')?.at;
    const processes = [start(), start()];
    const expected = new Map<string, number>();
    const publishWave = async (from: number, to: number) => {
      for (let seq = from; seq <= to; seq++) {
        await harness.publish(keys.map((key) => updated(key, seq)));
        for (const key of keys) expected.set(key, seq);
      }
    };
    try {
      await eventually(
        async () => (processes.every((p) => runningSince(p.pid)) ? true : undefined),
        90_000,
      );
      await eventually(async () => {
        const assigned = await assignments(harness.admin, groupId);
        return assigned.size === 2 && [...assigned.values()].every((p) => p.length > 0)
          ? true
          : undefined;
      }, 60_000);

      // Wave 1 is published in the background while one member is killed mid-stream.
      const wave1 = publishWave(1, WAVE1);
      const [victim, survivor] = await eventually(
        async () => {
          const applied = log().applied;
          const first = processes.find(
            (p) => applied.filter((line) => line.pid === p.pid).length >= 100,
          );
          return first ? [first, processes.find((p) => p !== first)!] : undefined;
        },
        60_000,
        20,
      );
      const exited = once(victim, 'exit');
      const killedAt = Date.now();
      victim.kill('SIGKILL');
      await exited;
      const beforeKill = log().applied;
      const victimPartitions = new Set(
        beforeKill.filter((line) => line.pid === victim.pid).map((line) => line.partition),
      );
      // Under load: the victim was killed with events of wave 1 still to apply.
      expect(beforeKill.length).toBeLessThan(KEYS * WAVE1);
      expect(victimPartitions.size).toBeGreaterThan(0);

      // The survivor takes every partition (the group sees one member holding all of them)…
      await eventually(async () => {
        const assigned = await assignments(harness.admin, groupId);
        const held = assigned.get(`member-${survivor.pid}`) ?? [];
        return assigned.size === 1 && held.length === PARTITIONS ? true : undefined;
      }, 60_000);
      const reassignedAt = Date.now();
      // …and applies events of the victim's partitions.
      const tookOver = await eventually(async () =>
        log().applied.find(
          (line) =>
            line.pid === survivor.pid && line.at > killedAt && victimPartitions.has(line.partition),
        ),
      );

      // The killed member comes back and rejoins.
      const restartedAt = Date.now();
      const restarted = start();
      processes.push(restarted);
      const rejoinedAt = await eventually(async () => runningSince(restarted.pid), 90_000);
      await wave1;
      await eventually(
        async () => (allApplied(log().applied, expected) ? true : undefined),
        90_000,
      );
      // No member is left idle: both hold partitions and both apply wave 2.
      await eventually(async () => {
        const assigned = await assignments(harness.admin, groupId);
        return assigned.size === 2 && [...assigned.values()].every((p) => p.length > 0)
          ? true
          : undefined;
      }, 60_000);
      const wave2From = log().applied.length;
      await publishWave(WAVE1 + 1, WAVE1 + WAVE2);
      const lines = await eventually(async () => {
        const applied = log().applied;
        return allApplied(applied, expected) ? applied : undefined;
      }, 90_000);
      const wave2Pids = new Set(
        lines
          .slice(wave2From)
          .filter((line) => line.seq > WAVE1)
          .map((line) => line.pid),
      );
      const restartedFirst = lines.find((line) => line.pid === restarted.pid);

      const report = deliveryReport(lines, expected);
      const victimOnly = (line: AppliedLine) => line.pid === victim.pid;
      console.log(
        [
          `SIGKILL of 1 of 2 members, ${report.expected} events (${KEYS} keys, ${PARTITIONS} partitions)`,
          `  applied ${report.applied}: lost ${report.lost}, duplicates ${report.duplicates}, out of order ${report.outOfOrder}`,
          `  applied before the kill ${beforeKill.length} (victim ${beforeKill.filter(victimOnly).length} on partitions ${[...victimPartitions].sort().join(',')})`,
          `  kill -> group reassigned all partitions to the survivor: ${reassignedAt - killedAt} ms (polled)`,
          `  kill -> survivor applies a victim partition's event: ${tookOver.at - killedAt} ms`,
          `  restart -> restarted member running: ${rejoinedAt - restartedAt} ms (includes process start)`,
          `  restarted member running -> its first applied event: ${restartedFirst ? `${restartedFirst.at - rejoinedAt} ms` : 'none'}`,
          `  wave 2 applied by pids ${[...wave2Pids].join(',')} (survivor ${survivor.pid}, restarted ${restarted.pid})`,
        ].join('\n'),
      );
      expect(report.lost).toBe(0);
      expect(report.outOfOrder).toBe(0);
      expect(wave2Pids).toEqual(new Set([survivor.pid, restarted.pid]));
      // The survivor never left the running state (a rebalance is not a restart).
      expect(
        log().states.filter((s) => s.pid === survivor.pid && s.state === 'restarting'),
      ).toEqual([]);
    } finally {
      await Promise.all(processes.map(stopMember));
    }
  }, 240_000);

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
