import type { KafkaMessage } from 'kafkajs';
import type { Clock } from '../clock';
import { runKeyLanes } from './keyLanes';
import { createOffsetTracker } from './offsetTracker';
import { processRecord, type RecordContext, type RecordOutcome } from './processRecord';

/** One partition's batch as either transport hands it over. */
export interface BatchOptions {
  ctx: Omit<RecordContext, 'isActive'>;
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** Keys handled at once. */
  maxInFlight: number;
  /** False once the member stops or loses the partition: no record starts, no retry. */
  isActive(): boolean;
  /** True once a stopping member stops waiting for running handlers (they are redelivered). */
  leaveNow(): boolean;
  /** Keeps the membership while handlers run; throws when the group rebalanced. */
  heartbeat(): Promise<void>;
  /** Commits `offset` (the next one to read). */
  commit(offset: string, metadata: string): Promise<void>;
  clock: Clock;
  /** @default 1000 */
  commitIntervalMs?: number;
  /** Called on every turn of the wait loop (the supervisor's liveness signal). */
  onProgress?: () => void;
}

/**
 * Handles one partition's batch: keys in parallel, one key serial, committing only the offset
 * below which every record is done, so a crash or rebalance never skips a record. Resolves when
 * the batch is done (or abandoned because the member lost the partition); throws the rebalance
 * error so the transport rejoins.
 */
export async function consumeBatch(options: BatchOptions): Promise<void> {
  const { ctx, topic, partition, messages, clock, commitIntervalMs = 1_000 } = options;
  const tracker = createOffsetTracker();
  let lost: unknown;
  const isActive = () => lost === undefined && options.isActive();
  const recordCtx: RecordContext = { ...ctx, isActive };

  for (const message of messages) tracker.started(message.offset);
  // Records without a key share one serial lane: their order is all we can keep.
  let done = false;
  const lanes = runKeyLanes(
    messages,
    (message) => message.key?.toString('utf8') ?? '',
    options.maxInFlight,
    async (message) => {
      if (!isActive()) return false;
      let outcome: RecordOutcome;
      try {
        outcome = await processRecord(recordCtx, topic, partition, message);
      } catch (error) {
        ctx.logger.error({ err: error, offset: message.offset }, 'record processing crashed');
        return false;
      }
      if (outcome === 'abandoned') return false;
      tracker.completed(message.offset);
      return true;
    },
  ).finally(() => {
    done = true;
  });

  const commit = async () => {
    const offset = tracker.committable();
    if (offset === undefined) return;
    await options.commit(offset, tracker.metadata());
    tracker.committed(offset);
  };

  // Heartbeat and commit progress while handlers run, so long handlers keep the membership.
  let lastCommit = clock.now();
  while (!done) {
    await Promise.race([lanes, clock.sleep(Math.min(1_000, commitIntervalMs))]);
    if (done) break;
    options.onProgress?.();
    if (lost === undefined) {
      // A rebalance: let running handlers finish (no new ones start), then rejoin.
      await options.heartbeat().catch((error: unknown) => (lost = error));
    }
    if (lost === undefined && clock.now() - lastCommit >= commitIntervalMs) {
      await commit().catch((error: unknown) => (lost = error));
      lastCommit = clock.now();
    }
    // Stopping: handlers got their grace; what still runs is abandoned (and redelivered).
    if (options.leaveNow()) break;
  }
  if (lost === undefined && options.isActive()) {
    await commit().catch((error: unknown) => (lost = error));
  } else if (lost !== undefined && !options.leaveNow()) {
    // A rebalance: what finished while draining is committed if the group still takes it (it
    // does until the new generation), so the next owner does not apply it again.
    await commit().catch(() => undefined);
  }
  if (lost !== undefined && options.isActive()) throw lost;
}
