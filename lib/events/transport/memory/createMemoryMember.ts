import type { EventMetrics } from '../../metrics';
import type { Clock } from '../clock';
import type { GroupMember, MemberState, SubscribeOptions } from '../eventTransport';
import { defaultRetryOptions } from '../pipeline/backoff';
import { consumeBatch } from '../pipeline/consumeBatch';
import type { RecordContext } from '../pipeline/processRecord';
import type { MemoryGroupMember, MemoryLog } from './memoryLog';

/** What a memory member shares with its transport. */
export interface MemoryMemberShared {
  log: MemoryLog;
  clock: Clock;
  metrics: EventMetrics;
  ctx: Pick<RecordContext, 'contracts' | 'sendDeadLetter'>;
}

/** A memory group member; `crash` drops it like a killed process (nothing more is committed). */
export interface MemoryMember extends GroupMember {
  crash(): void;
}

const BATCH = 500;

/** Creates a member of a memory group: the same record pipeline as Kafka, on the memory log. */
export function createMemoryMember(
  shared: MemoryMemberShared,
  options: SubscribeOptions,
): MemoryMember {
  const { log, clock } = shared;
  const { groupId, topics, startAt = 'committed', stopGraceMs = 10_000 } = options;
  const logger = options.logger.child({ groupId });
  const group = log.group(groupId);
  const positions = new Map<string, bigint>();
  let state: MemberState = 'idle';
  let since = clock.now();
  let generation = -1;
  let stopping = false;
  let crashed = false;
  let stopDeadline = Infinity;
  const loops = new Set<Promise<void>>();
  // Lets the next owner in at once when this member crashes with handlers still running.
  const releases = new Set<() => void>();
  const ctx: Omit<RecordContext, 'isActive'> = {
    groupId,
    handlers: options.handlers,
    contracts: options.contracts ?? shared.ctx.contracts,
    ...(options.dedup && { dedup: options.dedup }),
    metrics: options.metrics ?? shared.metrics,
    retry: { ...defaultRetryOptions, ...options.retry },
    logger,
    sleep: clock.sleep,
    ...(options.deadLetters !== false &&
      shared.ctx.sendDeadLetter && { sendDeadLetter: shared.ctx.sendDeadLetter }),
  };
  const listeners = new Set<(state: MemberState) => void>();
  const setState = (next: MemberState) => {
    state = next;
    since = clock.now();
    for (const listener of [...listeners]) listener(next);
    ctx.metrics.consumerUp.set({ group: groupId }, next === 'running' ? 1 : 0);
  };

  const owns = (gen: number) => gen === generation && !stopping && !crashed;
  const position = (tp: string) =>
    (startAt === 'now' ? positions.get(tp) : group.committed.get(tp)) ?? 0n;

  async function consumePartition(gen: number, tp: string, previous: Promise<void> | undefined) {
    await previous;
    const at = tp.lastIndexOf(':');
    const topic = tp.slice(0, at);
    const partition = Number(tp.slice(at + 1));
    const records = log.topic(topic)[partition]!;
    while (owns(gen)) {
      const from = Number(position(tp));
      const messages = records.slice(from, from + BATCH);
      if (messages.length === 0) {
        await log.changed();
        continue;
      }
      await consumeBatch({
        ctx,
        topic,
        partition,
        messages,
        maxInFlight: options.maxInFlightPerPartition ?? 16,
        clock,
        ...(options.commitIntervalMs !== undefined && {
          commitIntervalMs: options.commitIntervalMs,
        }),
        isActive: () => owns(gen),
        leaveNow: () => crashed || clock.now() >= stopDeadline || gen !== generation,
        heartbeat: async () => {
          if (gen !== generation && !stopping) throw new Error('rebalance in progress');
        },
        async commit(offset) {
          if (crashed) return;
          if (startAt === 'now') positions.set(tp, BigInt(offset));
          else group.committed.set(tp, BigInt(offset));
        },
      }).catch((error: unknown) => logger.debug({ err: error }, 'partition handed over'));
      // A record abandoned while still owned (its dedup lookup failed): try again shortly.
      if (owns(gen) && Number(position(tp)) === from) await clock.sleep(100);
    }
  }

  const member: MemoryGroupMember = {
    topics,
    assign(gen, partitions) {
      generation = gen;
      for (const tp of partitions) {
        if (startAt === 'now' && !positions.has(tp)) {
          const at = tp.lastIndexOf(':');
          positions.set(tp, BigInt(log.topic(tp.slice(0, at))[Number(tp.slice(at + 1))]!.length));
        }
        const loop = consumePartition(gen, tp, group.released.get(tp));
        let release: () => void = () => undefined;
        const released = new Promise<void>((resolve) => (release = resolve));
        releases.add(release);
        group.released.set(tp, released);
        loops.add(loop);
        void loop.finally(() => {
          loops.delete(loop);
          releases.delete(release);
          release();
        });
      }
    },
  };

  return {
    groupId,
    start() {
      if (state !== 'idle' && state !== 'stopped') return;
      stopping = false;
      crashed = false;
      stopDeadline = Infinity;
      log.join(groupId, member);
      setState('running');
    },
    async running() {
      if (state !== 'running') throw new Error(`group ${groupId} is ${state}`);
    },
    async stop() {
      if (state === 'stopped' || state === 'idle') return;
      stopping = true;
      stopDeadline = clock.now() + stopGraceMs;
      log.leave(groupId, member);
      log.wake();
      await Promise.all([...loops]);
      setState('stopped');
    },
    crash() {
      crashed = true;
      for (const release of releases) release();
      log.leave(groupId, member);
      setState('stopped');
    },
    status: () => ({ groupId, state, restarts: 0, since }),
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
