import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, EventTransport } from '../../../lib/events';
import type { Logger } from '../../../lib/logging';

/**
 * Where a replay job stands: `WAITING` for the group to have no active member, then `REWOUND`;
 * `FAILED` (an error, or still members at the deadline) and `CANCELLED` are final too.
 */
export type ReplayJobState = 'WAITING' | 'REWOUND' | 'FAILED' | 'CANCELLED';

/** A rewind of one consumer group on one topic, run in the background (see {@link createReplayJobs}). */
export interface ReplayJob {
  id: string;
  groupId: string;
  topic: string;
  /** Records at or after this time are delivered again. */
  from: Date;
  state: ReplayJobState;
  /** Active members of the group at the last poll; null before the first one answered. */
  members: number | null;
  /** Where the group starts again, per partition (once `REWOUND`). */
  partitions: { partition: number; offset: string }[];
  /** Why the job failed; while `WAITING`, the last poll's error if it failed. */
  error: string | null;
  /** Whether the group has a member in this process, which the job stops and restarts. */
  hosted: boolean;
  /** The process running the job (`host:pid`): jobs live in its memory. */
  runner: string;
  /** When a job still `WAITING` gives up (`FAILED`). */
  deadline: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A consumer group member hosted by this process. */
export interface HostedGroup {
  stop(): Promise<void>;
  start(): unknown;
}

/** Options of {@link createReplayJobs}. */
export interface ReplayJobsOptions {
  /** Moves the group's offsets; throws `GroupActiveError` (code `CONFLICT`) while it has members. */
  rewind: EventTransport['rewind'];
  /** Active members of a group (kafkajs `admin.describeGroups`). */
  countMembers: (groupId: string) => Promise<number>;
  /** The member of a group hosted by this process, if any. */
  hostedGroup?: (groupId: string) => HostedGroup | undefined;
  /** @default the wall clock (timers that do not keep the process alive) */
  clock?: Clock;
  /** How often a waiting job looks at the group. @default 2000 */
  pollMs?: number;
  /** How long a job waits for the group to empty, unless the request says. @default 15 min */
  maxWaitMs?: number;
  /** Finished jobs kept for the status queries (the oldest are forgotten). @default 100 */
  keepFinished?: number;
  logger?: Logger;
  /** @default randomUUID */
  newId?: () => string;
}

/** What {@link ReplayJobs.start} is asked. */
export interface ReplayJobRequest {
  groupId: string;
  topic: string;
  from: Date;
  /** @default the options' `maxWaitMs` */
  maxWaitMs?: number;
  /** Logs of this job (e.g. bound to the request's correlation id). */
  logger?: Logger;
}

/** The replay jobs of one process. */
export interface ReplayJobs {
  /** Starts a job and returns it at once (`WAITING`); the rewind happens in the background. */
  start(request: ReplayJobRequest): ReplayJob;
  get(id: string): ReplayJob | undefined;
  /** Every job kept, newest first. */
  list(): ReplayJob[];
  /**
   * Cancels a waiting job (`CANCELLED` at once, a stopped hosted member is restarted). A job
   * already rewinding finishes its rewind; a finished job is returned unchanged.
   * @returns undefined for an unknown id
   */
  cancel(id: string): ReplayJob | undefined;
  /** Resolves once the job is finished and its hosted member restarted (tests, the CLI). */
  settled(id: string): Promise<ReplayJob | undefined>;
  /** Cancels every waiting job and waits for them to finish. */
  stop(): Promise<void>;
}

/** A second job for a group that already has one waiting. */
export class ReplayJobConflictError extends Error {
  readonly code = 'CONFLICT';
  constructor(readonly job: ReplayJob) {
    super(
      `replay job ${job.id} is already waiting for group ${job.groupId}: cancel it or wait for it`,
    );
    this.name = 'ReplayJobConflictError';
  }
}

export const DEFAULT_REPLAY_POLL_MS = 2_000;
export const DEFAULT_REPLAY_MAX_WAIT_MS = 15 * 60_000;

/** The wall clock, with timers that do not keep the process alive. */
const wallClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
};

/** Whether a rewind was refused because the group still has members. */
function groupStillActive(error: unknown): number | undefined {
  const err = error as { code?: unknown; members?: unknown; message?: unknown } | null;
  if (err?.code === 'CONFLICT') return typeof err.members === 'number' ? err.members : 1;
  if (typeof err?.message === 'string' && /no running instances/.test(err.message)) return 1;
  return undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface Running {
  job: ReplayJob;
  cancelRequested: boolean;
  rewinding: boolean;
  wake: () => void;
  done: Promise<void>;
}

/**
 * Replay jobs kept in this process's memory. A job resolves nothing up front: it polls the
 * group's active members every `pollMs` and rewinds (offsets by timestamp) as soon as there are
 * none, so an operator stops the group's consumers and the job does the rest; a group hosted here
 * is stopped by the job first and restarted when it ends, whatever the outcome. A job still
 * waiting at its deadline fails with the member count it last saw.
 */
export function createReplayJobs(options: ReplayJobsOptions): ReplayJobs {
  const clock = options.clock ?? wallClock;
  const pollMs = options.pollMs ?? DEFAULT_REPLAY_POLL_MS;
  const defaultMaxWaitMs = options.maxWaitMs ?? DEFAULT_REPLAY_MAX_WAIT_MS;
  const keepFinished = options.keepFinished ?? 100;
  const newId = options.newId ?? randomUUID;
  const runner = `${hostname()}:${process.pid}`;
  const jobs = new Map<string, Running>();

  const snapshot = (job: ReplayJob): ReplayJob => ({
    ...job,
    partitions: job.partitions.map((p) => ({ ...p })),
  });

  const update = (running: Running, change: Partial<ReplayJob>) => {
    Object.assign(running.job, change, { updatedAt: new Date(clock.now()) });
  };

  /** Moves a waiting job to a final state (once), then forgets the oldest finished jobs. */
  const finish = (running: Running, state: Exclude<ReplayJobState, 'WAITING'>, change = {}) => {
    if (running.job.state !== 'WAITING') return;
    update(running, { ...change, state });
    running.wake();
    const finished = [...jobs.values()]
      .filter((r) => r.job.state !== 'WAITING')
      .sort((a, b) => b.job.updatedAt.getTime() - a.job.updatedAt.getTime());
    for (const old of finished.slice(keepFinished)) jobs.delete(old.job.id);
  };

  async function run(running: Running, maxWaitMs: number, logger: Logger | undefined) {
    const { job } = running;
    const log = logger?.child({ replayJob: job.id, groupId: job.groupId, topic: job.topic });
    const hosted = options.hostedGroup?.(job.groupId);
    let stopped = false;
    const waiting = () => job.state === 'WAITING';
    try {
      if (hosted) {
        await hosted.stop();
        stopped = true;
        log?.info('replay job stopped the member hosted here');
      }
      while (waiting()) {
        let members: number | undefined;
        try {
          members = await options.countMembers(job.groupId);
          if (waiting()) update(running, { members, error: null });
        } catch (error) {
          if (waiting())
            update(running, { error: `cannot describe the group: ${messageOf(error)}` });
        }
        if (members === 0 && waiting()) {
          running.rewinding = true;
          try {
            const result = await options.rewind(job.groupId, job.topic, job.from);
            finish(running, 'REWOUND', { partitions: result.partitions, members: 0, error: null });
            log?.info({ partitions: result.partitions }, 'replay job rewound the group');
            break;
          } catch (error) {
            const active = groupStillActive(error);
            if (active === undefined) {
              finish(running, 'FAILED', { error: `rewind failed: ${messageOf(error)}` });
              log?.error({ err: error }, 'replay job failed');
              break;
            }
            update(running, { members: active });
          } finally {
            running.rewinding = false;
          }
          if (running.cancelRequested) finish(running, 'CANCELLED');
        }
        if (!waiting()) break;
        const left = job.deadline.getTime() - clock.now();
        if (left <= 0) {
          const seen = job.members === null ? 'an unknown number of' : String(job.members);
          finish(running, 'FAILED', {
            error:
              `group ${job.groupId} still had ${seen} active member(s) after waiting ` +
              `${Math.round(maxWaitMs / 1000)} s: stop its consumers, then start a new replay`,
          });
          log?.warn({ members: job.members }, 'replay job gave up waiting');
          break;
        }
        await new Promise<void>((resolve) => {
          running.wake = resolve;
          void clock.sleep(Math.min(pollMs, left)).then(resolve);
        });
      }
    } catch (error) {
      finish(running, 'FAILED', { error: messageOf(error) });
      log?.error({ err: error }, 'replay job failed');
    } finally {
      if (stopped) {
        try {
          await hosted!.start();
          log?.info('replay job restarted the member hosted here');
        } catch (error) {
          update(running, {
            error: `${job.error ? `${job.error}; ` : ''}restarting the member hosted here failed: ${messageOf(error)}`,
          });
          log?.error({ err: error }, 'replay job could not restart the member hosted here');
        }
      }
    }
  }

  return {
    start(request) {
      for (const { job } of jobs.values()) {
        if (job.groupId === request.groupId && job.state === 'WAITING') {
          throw new ReplayJobConflictError(snapshot(job));
        }
      }
      const maxWaitMs = request.maxWaitMs ?? defaultMaxWaitMs;
      const now = clock.now();
      const job: ReplayJob = {
        id: newId(),
        groupId: request.groupId,
        topic: request.topic,
        from: request.from,
        state: 'WAITING',
        members: null,
        partitions: [],
        error: null,
        hosted: options.hostedGroup?.(request.groupId) !== undefined,
        runner,
        deadline: new Date(now + maxWaitMs),
        createdAt: new Date(now),
        updatedAt: new Date(now),
      };
      const running: Running = {
        job,
        cancelRequested: false,
        rewinding: false,
        wake: () => undefined,
        done: Promise.resolve(),
      };
      jobs.set(job.id, running);
      const answer = snapshot(job);
      running.done = run(running, maxWaitMs, request.logger ?? options.logger);
      request.logger?.info({ replayJob: job.id, groupId: job.groupId }, 'replay job started');
      return answer;
    },
    get: (id) => {
      const running = jobs.get(id);
      return running && snapshot(running.job);
    },
    list: () =>
      [...jobs.values()]
        .map((r) => snapshot(r.job))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
    cancel(id) {
      const running = jobs.get(id);
      if (!running) return undefined;
      if (running.job.state === 'WAITING') {
        running.cancelRequested = true;
        if (!running.rewinding) finish(running, 'CANCELLED');
      }
      return snapshot(running.job);
    },
    async settled(id) {
      const running = jobs.get(id);
      if (!running) return undefined;
      await running.done;
      return snapshot(running.job);
    },
    async stop() {
      const all = [...jobs.values()];
      for (const running of all) {
        running.cancelRequested = true;
        if (!running.rewinding) finish(running, 'CANCELLED');
      }
      await Promise.all(all.map((r) => r.done));
    },
  };
}
