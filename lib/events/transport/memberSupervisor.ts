import type { Logger } from '../../logging';
import type { EventMetrics } from '../metrics';
import type { Clock } from './clock';
import type { GroupMember, MemberState, MemberStatus } from './eventTransport';
import { backoffDelay } from './pipeline/backoff';

/** What an attempt of a member sees of its supervisor. */
export interface AttemptLife {
  /** Liveness: a fetch, a heartbeat, a batch turn. Silence for `stallAfterMs` ends the attempt. */
  alive(): void;
  /** The attempt has joined its group and consumes. */
  running(): void;
  /** False once the attempt ended or the member stops: start nothing, retry nothing. */
  active(): boolean;
  /** True once running handlers are no longer waited for (attempt ended, or stop grace over). */
  leaveNow(): boolean;
  /** Registers the attempt's clean-up (disconnect), run with a deadline when it ends. */
  onEnd(cleanup: () => Promise<void>): void;
}

/** Why an attempt ended. */
export interface AttemptEnd {
  reason: 'crash' | 'stalled' | 'failed' | 'stopped';
  error?: unknown;
}

/** Options of {@link createMemberSupervisor}. */
export interface MemberSupervisorOptions {
  groupId: string;
  logger: Logger;
  metrics: EventMetrics;
  clock: Clock;
  stallAfterMs: number;
  stopGraceMs: number;
  /** Runs one attempt: resolves with how it ended (a rejection counts as `failed`). */
  attempt(life: AttemptLife): Promise<AttemptEnd>;
}

/** Restart delays: 0.5 s doubling to 5 s, jittered (a broker that comes back is rejoined within seconds). */
const restartBackoff = { maxAttempts: 0, initialDelayMs: 500, maxDelayMs: 5_000, multiplier: 2 };

/**
 * Keeps a group member alive: runs attempts one after another with backoff, ends an attempt that
 * stalls, reports its state (readiness, `event_consumer_up`, `event_consumer_restarts_total`)
 * and logs a failure streak once, then its recovery.
 */
export function createMemberSupervisor(options: MemberSupervisorOptions): GroupMember {
  const { groupId, logger, metrics, clock, stallAfterMs, stopGraceMs } = options;
  let state: MemberState = 'idle';
  let since = clock.now();
  let restarts = 0;
  let lastError: string | undefined;
  let stopping = false;
  let stopDeadline = Infinity;
  let loop: Promise<void> | undefined;
  let wakeStop: () => void = () => undefined;
  let stopped = new Promise<void>((resolve) => (wakeStop = resolve));
  const watchers = new Set<() => void>();

  const setState = (next: MemberState) => {
    if (state === next) return;
    state = next;
    since = clock.now();
    metrics.consumerUp.set({ group: groupId }, next === 'running' ? 1 : 0);
    for (const notify of [...watchers]) notify();
  };

  async function runAttempt(): Promise<{ end: AttemptEnd; joined: boolean }> {
    let over = false;
    let joined = false;
    let lastAlive = clock.now();
    const cleanups: (() => Promise<void>)[] = [];
    let endNow: (end: AttemptEnd) => void = () => undefined;
    const forced = new Promise<AttemptEnd>((resolve) => (endNow = resolve));
    const life: AttemptLife = {
      alive: () => {
        lastAlive = clock.now();
      },
      running: () => {
        // An attempt that ended (stopped, stalled) never reports running afterwards.
        if (over || stopping) return;
        if (restarts > 0 && state === 'joining' && !joined) {
          logger.info({ restarts }, 'consumer running again');
        }
        joined = true;
        lastAlive = clock.now();
        setState('running');
      },
      active: () => !over && !stopping,
      leaveNow: () => over || clock.now() >= stopDeadline,
      onEnd: (cleanup) => cleanups.push(cleanup),
    };
    const watchdog = setInterval(
      () => {
        if (clock.now() - lastAlive > stallAfterMs) {
          endNow({
            reason: 'stalled',
            error: new Error(`no fetch or heartbeat for ${stallAfterMs} ms`),
          });
        }
      },
      Math.max(50, Math.min(5_000, stallAfterMs / 4)),
    );
    watchdog.unref();
    const end = await Promise.race([
      options.attempt(life).catch((error: unknown): AttemptEnd => ({ reason: 'failed', error })),
      forced,
      stopped.then((): AttemptEnd => ({ reason: 'stopped' })),
    ]);
    clearInterval(watchdog);
    if (end.reason !== 'stopped') over = true;
    // A clean-up that hangs (a broker gone mid-disconnect) must not hold the next attempt. A real
    // timer, cleared after: a pending one would keep the process alive after stop().
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, stopGraceMs + 5_000);
      timer.unref();
    });
    for (const cleanup of cleanups.reverse()) {
      await Promise.race([cleanup().catch(() => undefined), deadline]);
    }
    clearTimeout(timer);
    over = true;
    return { end, joined };
  }

  async function supervise() {
    let streak = 0;
    while (!stopping) {
      setState('joining');
      const { end, joined } = await runAttempt();
      if (stopping || end.reason === 'stopped') break;
      streak = joined ? 1 : streak + 1;
      restarts += 1;
      lastError = describe(end);
      metrics.consumerRestarts.inc({ group: groupId, reason: end.reason });
      setState('restarting');
      const delay = backoffDelay(Math.min(streak, 10), restartBackoff);
      if (streak === 1) {
        logger.warn(
          { err: end.error, reason: end.reason, retryInMs: delay },
          'consumer restarting',
        );
      } else {
        logger.debug({ reason: end.reason, streak, retryInMs: delay }, 'consumer still down');
      }
      await Promise.race([clock.sleep(delay), stopped]);
    }
    setState('stopped');
  }

  return {
    groupId,
    start() {
      if (loop) return;
      stopping = false;
      stopDeadline = Infinity;
      stopped = new Promise<void>((resolve) => (wakeStop = resolve));
      loop = supervise();
    },
    running(timeoutMs = 60_000) {
      if (state === 'running') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`group ${groupId} not running within ${timeoutMs} ms (${state})`));
        }, timeoutMs);
        const check = () => {
          if (state !== 'running') return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
      });
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      stopDeadline = clock.now() + stopGraceMs;
      wakeStop();
      await loop;
      loop = undefined;
    },
    onStateChange(listener) {
      const notify = () => listener(state);
      watchers.add(notify);
      return () => watchers.delete(notify);
    },
    status(): MemberStatus {
      return {
        groupId,
        state,
        restarts,
        since,
        ...(lastError !== undefined && { lastError }),
      };
    },
  };
}

const describe = (end: AttemptEnd) => {
  const error = end.error as { message?: unknown } | undefined;
  const message = typeof error?.message === 'string' ? error.message : String(end.error ?? '');
  return `${end.reason}${message ? `: ${message}` : ''}`.slice(0, 500);
};
