import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { EventMetrics } from '../../metrics';
import type { GroupMember, SubscribeOptions } from '../eventTransport';
import { consumeBatch } from '../pipeline/consumeBatch';
import { defaultRetryOptions, type RetryOptions } from '../pipeline/backoff';
import type { RecordContext } from '../pipeline/processRecord';
import { createMemberSupervisor, type AttemptEnd } from '../memberSupervisor';
import { endOffsets } from './topicOffsets';
import type { KafkaTransportShared } from './kafkaTransportShared';

/**
 * Creates a supervised Kafka group member. Each attempt is a fresh kafkajs consumer; the attempt
 * ends on `CRASH` (kafkajs never restarts by itself here, so there is one restart path), when it
 * neither fetches nor heartbeats for `stallAfterMs` (the member that silently left its group),
 * or when joining fails; the supervisor then starts another with backoff, for ever.
 */
export function createKafkaMember(
  kafka: Kafka,
  shared: KafkaTransportShared,
  options: SubscribeOptions,
): GroupMember {
  const {
    groupId,
    topics,
    startAt = 'committed',
    maxInFlightPerPartition = 16,
    partitionsConsumedConcurrently = 6,
    sessionTimeout = 10_000,
    heartbeatInterval = 1_000,
  } = options;
  const clock = shared.clock;
  const metrics: EventMetrics = options.metrics ?? shared.metrics;
  const log = options.logger.child({ groupId });
  const retry: RetryOptions = { ...defaultRetryOptions, ...options.retry };
  // Live fan-out members keep their position in memory: the next offset per `topic:partition`.
  const positions = new Map<string, string>();
  const recordContext: Omit<RecordContext, 'isActive'> = {
    groupId,
    handlers: options.handlers,
    contracts: options.contracts ?? shared.contracts,
    ...(options.dedup && { dedup: options.dedup }),
    metrics,
    retry,
    logger: log,
    sleep: clock.sleep,
    ...(options.deadLetters !== false && {
      sendDeadLetter: (originTopic: string, record) => shared.sendDeadLetter(originTopic, record),
    }),
  };

  return createMemberSupervisor({
    groupId,
    logger: log,
    metrics,
    clock,
    stallAfterMs: options.stallAfterMs ?? 60_000,
    stopGraceMs: options.stopGraceMs ?? 10_000,
    async attempt(life): Promise<AttemptEnd> {
      await shared.prepare();
      if (startAt === 'now' && positions.size === 0) {
        for (const topic of topics) {
          if (!life.active()) return { reason: 'stopped' };
          for (const end of await endOffsets(kafka, topic, life.active)) {
            positions.set(`${topic}:${end.partition}`, end.offset);
          }
        }
      }
      // The supervisor may have ended this attempt (stop, stall) while it waited on the broker.
      if (!life.active()) return { reason: 'stopped' };
      const consumer: Consumer = kafka.consumer({
        groupId,
        sessionTimeout,
        heartbeatInterval,
        ...(startAt === 'now' && { maxWaitTimeInMs: 100 }),
        // Crashes end the attempt; the supervisor restarts with backoff (one restart path).
        retry: { restartOnFailure: async () => false },
      });
      let positioned = startAt !== 'now';
      const ended = new Promise<AttemptEnd>((resolve) => {
        consumer.on(consumer.events.CRASH, ({ payload }) =>
          resolve({ reason: 'crash', error: payload.error }),
        );
      });
      const joined = new Promise<void>((resolve) => {
        consumer.on(consumer.events.GROUP_JOIN, () => {
          life.alive();
          resolve();
        });
      });
      consumer.on(consumer.events.FETCH_START, life.alive);
      consumer.on(consumer.events.HEARTBEAT, life.alive);

      const eachBatch = async (payload: EachBatchPayload) => {
        life.alive();
        const { batch } = payload;
        const key = `${batch.topic}:${batch.partition}`;
        let messages = batch.messages;
        if (startAt === 'now') {
          // Until this attempt has sought to the kept positions, fetched records may be ahead.
          if (!positioned) return;
          const from = BigInt(positions.get(key) ?? '0');
          messages = messages.filter((m) => BigInt(m.offset) >= from);
        }
        if (messages.length === 0) return;
        await consumeBatch({
          ctx: recordContext,
          topic: batch.topic,
          partition: batch.partition,
          messages,
          maxInFlight: maxInFlightPerPartition,
          clock,
          ...(options.commitIntervalMs !== undefined && {
            commitIntervalMs: options.commitIntervalMs,
          }),
          isActive: () => life.active() && payload.isRunning() && !payload.isStale(),
          leaveNow: life.leaveNow,
          heartbeat: payload.heartbeat,
          onProgress: life.alive,
          async commit(offset, metadata) {
            payload.resolveOffset((BigInt(offset) - 1n).toString());
            if (startAt === 'now') {
              positions.set(key, offset);
              return;
            }
            await consumer.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset, metadata },
            ]);
            const lag = BigInt(batch.highWatermark) - BigInt(offset);
            metrics.lag.set(
              { group: groupId, topic: batch.topic, partition: String(batch.partition) },
              Number(lag < 0n ? 0n : lag),
            );
          },
        });
      };

      life.onEnd(() => consumer.disconnect());
      // An attempt the supervisor ended while connect, subscribe or join was still waiting on the
      // broker (a stop, a stall) must not carry on once the broker answers: its clean-up ran
      // already, so it would join as a second, unsupervised member (holding partitions it never
      // handles) and report the stopped member running.
      const abandoned = async () => {
        if (life.active()) return false;
        await consumer.disconnect().catch(() => undefined);
        return true;
      };
      await consumer.connect();
      if (await abandoned()) return { reason: 'stopped' };
      await consumer.subscribe({ topics, fromBeginning: startAt !== 'now' });
      if (await abandoned()) return { reason: 'stopped' };
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently,
        eachBatch,
      });
      // kafkajs' run() resolves after a failed join too (the error goes to CRASH): that attempt
      // never ran, so it must not report running (nor reset the supervisor's backoff).
      const crashedBeforeJoining = await Promise.race([joined.then(() => undefined), ended]);
      if (crashedBeforeJoining) return { reason: 'failed', error: crashedBeforeJoining.error };
      if (await abandoned()) return { reason: 'stopped' };
      if (startAt === 'now') {
        for (const [key, offset] of positions) {
          const at = key.lastIndexOf(':');
          consumer.seek({ topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset });
        }
        positioned = true;
      }
      life.running();
      return ended;
    },
  });
}
