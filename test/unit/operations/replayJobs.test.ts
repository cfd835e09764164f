import { createManualClock, GroupActiveError, type RewindResult } from '../../../lib/events';
import {
  createReplayJobs,
  ReplayJobConflictError,
  type HostedGroup,
  type ReplayJobsOptions,
} from '../../../operations/src/operations/replayJobs';

const FROM = new Date('2026-01-01T00:00:00Z');
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Replay jobs over fakes: `members` is what the next polls answer (the last value repeats), the
 * rewind answers from `rewinds` (or succeeds), the clock only moves when the test advances it.
 */
function setup(options: Partial<ReplayJobsOptions> = {}) {
  const clock = createManualClock();
  const members: (number | Error)[] = [1];
  const rewinds: (Error | undefined)[] = [];
  const calls: string[] = [];
  let ids = 0;
  const rewind = jest.fn(async (groupId: string, topic: string, from: Date) => {
    calls.push('rewind');
    const outcome = rewinds.shift();
    if (outcome) throw outcome;
    return {
      groupId,
      topic,
      partitions: [
        { partition: 0, offset: '3' },
        { partition: 1, offset: '0' },
      ],
      from,
    } as RewindResult;
  });
  const countMembers = jest.fn(async () => {
    calls.push('poll');
    const next = members.length > 1 ? members.shift()! : members[0]!;
    if (next instanceof Error) throw next;
    return next;
  });
  const jobs = createReplayJobs({
    rewind,
    countMembers,
    clock,
    pollMs: 2_000,
    maxWaitMs: 60_000,
    newId: () => `job-${++ids}`,
    ...options,
  });
  return { jobs, clock, members, rewinds, rewind, countMembers, calls };
}

describe('replay jobs', () => {
  it('should answer WAITING at once, wait while the group has members, then rewind it', async () => {
    const { jobs, clock, members, rewind } = setup();
    members.splice(0, members.length, 2, 1, 0);

    const started = jobs.start({ groupId: 'g', topic: 'registry.events', from: FROM });
    expect(started).toMatchObject({
      id: 'job-1',
      groupId: 'g',
      topic: 'registry.events',
      from: FROM,
      state: 'WAITING',
      members: null,
      partitions: [],
      error: null,
      hosted: false,
      deadline: new Date(clock.now() + 60_000),
    });

    await flush();
    expect(jobs.get('job-1')).toMatchObject({ state: 'WAITING', members: 2 });
    await clock.advance(2_000);
    expect(jobs.get('job-1')).toMatchObject({ state: 'WAITING', members: 1 });
    expect(rewind).not.toHaveBeenCalled();

    await clock.advance(2_000);
    const job = await jobs.settled('job-1');
    expect(job).toMatchObject({
      state: 'REWOUND',
      members: 0,
      error: null,
      partitions: [
        { partition: 0, offset: '3' },
        { partition: 1, offset: '0' },
      ],
    });
    expect(rewind).toHaveBeenCalledWith('g', 'registry.events', FROM);
    expect(job!.updatedAt.getTime()).toBe(clock.now());
  });

  it('should fail with the member count it saw when the group is still active at the deadline', async () => {
    const { jobs, clock, members, rewind } = setup();
    members[0] = 3;
    jobs.start({ groupId: 'g', topic: 't', from: FROM, maxWaitMs: 5_000 });
    await flush();

    for (let i = 0; i < 3; i++) await clock.advance(2_000);

    const job = await jobs.settled('job-1');
    expect(job!.state).toBe('FAILED');
    expect(job!.error).toMatch(/still had 3 active member\(s\) after waiting 5 s/);
    expect(rewind).not.toHaveBeenCalled();
    expect(clock.sleepers).toBe(0);
  });

  it('should cancel a waiting job at once and never rewind it', async () => {
    const { jobs, clock, members, rewind, countMembers } = setup();
    jobs.start({ groupId: 'g', topic: 't', from: FROM });
    await flush();

    const cancelled = jobs.cancel('job-1');
    expect(cancelled!.state).toBe('CANCELLED');
    members[0] = 0;
    await clock.advance(10_000);

    expect((await jobs.settled('job-1'))!.state).toBe('CANCELLED');
    expect(countMembers).toHaveBeenCalledTimes(1);
    expect(rewind).not.toHaveBeenCalled();
    // Cancelling again, or a finished job, changes nothing.
    expect(jobs.cancel('job-1')!.state).toBe('CANCELLED');
    expect(jobs.cancel('nope')).toBeUndefined();
  });

  it('should keep waiting when a member joined between the poll and the rewind', async () => {
    const { jobs, clock, members, rewinds, rewind } = setup();
    members[0] = 0;
    rewinds.push(new GroupActiveError('g', 2));
    jobs.start({ groupId: 'g', topic: 't', from: FROM });
    await flush();

    expect(jobs.get('job-1')).toMatchObject({ state: 'WAITING', members: 2 });
    await clock.advance(2_000);

    expect((await jobs.settled('job-1'))!.state).toBe('REWOUND');
    expect(rewind).toHaveBeenCalledTimes(2);
  });

  it('should treat kafkajs refusing a non-empty group like a group still active', async () => {
    const { jobs, clock, members, rewinds } = setup();
    members[0] = 0;
    rewinds.push(
      new Error('The consumer group must have no running instances, current state: Stable'),
    );
    jobs.start({ groupId: 'g', topic: 't', from: FROM });
    await flush();
    expect(jobs.get('job-1')).toMatchObject({ state: 'WAITING', members: 1 });
    await clock.advance(2_000);
    expect((await jobs.settled('job-1'))!.state).toBe('REWOUND');
  });

  it('should fail with the reason when the rewind fails otherwise', async () => {
    const { jobs, members, rewinds } = setup();
    members[0] = 0;
    rewinds.push(new Error('This server does not host this topic-partition'));
    jobs.start({ groupId: 'g', topic: 't', from: FROM });

    const job = await jobs.settled('job-1');
    expect(job).toMatchObject({
      state: 'FAILED',
      error: 'rewind failed: This server does not host this topic-partition',
    });
  });

  it('should show a failing poll as the error of a waiting job and clear it once polls answer', async () => {
    const { jobs, clock, members } = setup();
    members.splice(0, members.length, new Error('broker down'), 1, 0);
    jobs.start({ groupId: 'g', topic: 't', from: FROM });
    await flush();
    expect(jobs.get('job-1')).toMatchObject({
      state: 'WAITING',
      members: null,
      error: 'cannot describe the group: broker down',
    });

    await clock.advance(2_000);
    expect(jobs.get('job-1')).toMatchObject({ state: 'WAITING', members: 1, error: null });
    await clock.advance(2_000);
    expect((await jobs.settled('job-1'))!.state).toBe('REWOUND');
  });

  it('should stop a group hosted here before polling and restart it whatever the outcome', async () => {
    const calls: string[] = [];
    const member: HostedGroup = {
      stop: jest.fn(async () => void calls.push('stop')),
      start: jest.fn(() => void calls.push('start')),
    };
    const hosted = setup({ hostedGroup: (groupId) => (groupId === 'mine' ? member : undefined) });
    hosted.members[0] = 0;

    const job = hosted.jobs.start({ groupId: 'mine', topic: 't', from: FROM });
    expect(job.hosted).toBe(true);
    expect((await hosted.jobs.settled(job.id))!.state).toBe('REWOUND');
    expect(hosted.calls).toEqual(['poll', 'rewind']);
    expect(calls).toEqual(['stop', 'start']);

    // Cancelled: restarted too.
    hosted.members[0] = 1;
    const second = hosted.jobs.start({ groupId: 'mine', topic: 't', from: FROM });
    await flush();
    hosted.jobs.cancel(second.id);
    expect((await hosted.jobs.settled(second.id))!.state).toBe('CANCELLED');
    expect(calls).toEqual(['stop', 'start', 'stop', 'start']);
  });

  it('should finish a rewind already under way when cancelled during it', async () => {
    let release!: () => void;
    const { jobs, members } = setup({
      rewind: () =>
        new Promise((resolve) => {
          release = () => resolve({ groupId: 'g', topic: 't', partitions: [] });
        }),
    });
    members[0] = 0;
    jobs.start({ groupId: 'g', topic: 't', from: FROM });
    await flush();

    expect(jobs.cancel('job-1')!.state).toBe('WAITING');
    release();
    expect((await jobs.settled('job-1'))!.state).toBe('REWOUND');
  });

  it('should refuse a second job for a group that has one waiting, and allow it afterwards', async () => {
    const { jobs } = setup();
    jobs.start({ groupId: 'g', topic: 't', from: FROM });
    const refused = (() => {
      try {
        jobs.start({ groupId: 'g', topic: 'other', from: FROM });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ReplayJobConflictError);
    expect(refused).toMatchObject({ code: 'CONFLICT', job: { id: 'job-1' } });

    expect(jobs.start({ groupId: 'h', topic: 't', from: FROM }).id).toBe('job-2');
    jobs.cancel('job-1');
    expect(jobs.start({ groupId: 'g', topic: 't', from: FROM }).id).toBe('job-3');
    expect(jobs.list().map((job) => job.id)).toHaveLength(3);
    await jobs.stop();
    expect(jobs.list().every((job) => job.state === 'CANCELLED')).toBe(true);
  });

  it('should keep only the newest finished jobs', async () => {
    const { jobs, clock, members } = setup({ keepFinished: 2 });
    members[0] = 0;
    for (let i = 0; i < 4; i++) {
      const job = jobs.start({ groupId: `g${i}`, topic: 't', from: FROM });
      await jobs.settled(job.id);
      await clock.advance(1);
    }
    expect(jobs.list().map((job) => job.id)).toEqual(['job-4', 'job-3']);
    expect(jobs.get('job-1')).toBeUndefined();
  });
});
