import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type Producer,
} from 'kafkajs';
import {
  eventMetrics,
  platformContracts,
  type EventContracts,
  type EventHandler,
  type EventMetrics,
} from '../../../lib/events';
import type { Logger } from '../../../lib/logging';
import { defaultRetryOptions, type RetryOptions } from './backoff';
import type { DedupStore } from './dedupStore';
import { createKeyScheduler } from './keyScheduler';
import { createOffsetTracker, type OffsetTracker } from './offsetTracker';
import { processRecord, type RecordContext } from './processRecord';

/** Options of {@link createPartitionedConsumer}. */
export interface PartitionedConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Handlers by CloudEvents `type`; valid events of other types are skipped (and committed). */
  handlers: Record<string, EventHandler>;
  logger: Logger;
  /** Dead-letter topic of an origin topic. @default `${topic}.dlq` (as lib/kafka names them) */
  deadLetterTopic?: (topic: string) => string;
  /** Applies each (source, id) once per group; without it, handlers see redeliveries. */
  dedup?: DedupStore;
  /** @default the platform's contracts */
  contracts?: EventContracts;
  /** @default the process-wide event metrics */
  metrics?: EventMetrics;
  retry?: Partial<RetryOptions>;
  /** Keys handled at once within one partition. @default 16 */
  maxInFlightPerPartition?: number;
  /** Partitions handled at once by this member. @default 6 */
  partitionsConsumedConcurrently?: number;
  /** Where a new group starts. @default true */
  fromBeginning?: boolean;
  /** @default 30000 */
  sessionTimeout?: number;
  /** @default 3000 */
  heartbeatInterval?: number;
  /** How often progress is committed while a batch is being handled. @default 1000 */
  commitIntervalMs?: number;
}

/** A running consumer group member. */
export interface PartitionedConsumer {
  readonly groupId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates a consumer group member over kafkajs `eachBatch`: partitions in parallel, and inside a
 * partition different keys in parallel while one key stays strictly serial. Only the offset below
 * which every record is done is committed, so a crash never skips a record; heartbeats continue
 * while handlers run. Failures are retried with backoff, then dead-lettered, holding back only
 * the failing key.
 */
export function createPartitionedConsumer(
  options: PartitionedConsumerOptions,
): PartitionedConsumer {
  const {
    kafka,
    groupId,
    topics,
    logger,
    deadLetterTopic = (topic: string) => `${topic}.dlq`,
    maxInFlightPerPartition = 16,
    partitionsConsumedConcurrently = 6,
    fromBeginning = true,
    sessionTimeout = 30_000,
    heartbeatInterval = 3_000,
    commitIntervalMs = 1_000,
  } = options;
  const log = logger.child({ groupId });
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let stopping = false;

  const context = (): Omit<RecordContext, 'isActive'> => ({
    groupId,
    handlers: options.handlers,
    contracts: options.contracts ?? platformContracts(),
    dedup: options.dedup,
    metrics: options.metrics ?? eventMetrics(),
    retry: { ...defaultRetryOptions, ...options.retry },
    logger: log,
    sleep,
    async sendDeadLetter(originTopic, record) {
      await producer!.send({ topic: deadLetterTopic(originTopic), acks: -1, messages: [record] });
    },
  });

  async function commit(
    payload: EachBatchPayload,
    tracker: OffsetTracker,
    metrics: EventMetrics,
  ): Promise<void> {
    const offset = tracker.committable();
    if (offset === undefined) return;
    const { batch } = payload;
    payload.resolveOffset((BigInt(offset) - 1n).toString());
    await consumer!.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset, metadata: tracker.metadata() },
    ]);
    tracker.committed(offset);
    const lag = BigInt(batch.highWatermark) - BigInt(offset);
    metrics.lag.set(
      { group: groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(lag < 0n ? 0n : lag),
    );
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const base = context();
    const tracker = createOffsetTracker();
    const scheduler = createKeyScheduler(maxInFlightPerPartition);
    let lost: unknown;
    const isActive = () => !stopping && lost === undefined && isRunning() && !isStale();
    const ctx: RecordContext = { ...base, isActive };

    for (const message of batch.messages) {
      tracker.started(message.offset);
      // Records without a key share one serial lane: their order is all we can keep.
      scheduler.push(message.key?.toString('utf8') ?? '', async () => {
        if (!isActive()) return;
        const outcome = await processRecord(ctx, batch.topic, batch.partition, message).catch(
          (error: unknown) => {
            log.error({ err: error, offset: message.offset }, 'record processing crashed');
            return 'abandoned' as const;
          },
        );
        if (outcome !== 'abandoned') tracker.completed(message.offset);
      });
    }

    // Heartbeat and commit progress while handlers run, so long handlers keep the membership.
    let lastCommit = Date.now();
    while (scheduler.pending > 0) {
      await Promise.race([scheduler.idle(), sleep(Math.min(heartbeatInterval, commitIntervalMs))]);
      if (lost === undefined) {
        try {
          await heartbeat();
        } catch (error) {
          // A rebalance: let running handlers finish (no new ones start), then rejoin.
          lost = error;
        }
      }
      if (lost === undefined && Date.now() - lastCommit >= commitIntervalMs) {
        await commit(payload, tracker, base.metrics).catch((error: unknown) => (lost = error));
        lastCommit = Date.now();
      }
    }
    if (lost === undefined) {
      await commit(payload, tracker, base.metrics).catch((error: unknown) => (lost = error));
    }
    if (lost !== undefined && !stopping) throw lost;
  }

  return {
    groupId,
    async start() {
      stopping = false;
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval });
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently,
        eachBatch,
      });
      log.info({ topics }, 'consumer started');
    },
    async stop() {
      stopping = true;
      await consumer?.disconnect();
      await producer?.disconnect();
    },
  };
}
