import type { KafkaMessage, Message } from 'kafkajs';
import type { EventContracts } from '../../contracts';
import type { EventMetrics } from '../../metrics';
import type { Clock } from '../clock';
import type { ReplayOptions } from '../eventTransport';
import { defaultRetryOptions } from './backoff';
import { consumeBatch } from './consumeBatch';
import { countApplied } from './countApplied';

/** What a transport lends a replay: the pipeline's shared parts. */
export interface ReplayPipeline {
  contracts: EventContracts;
  metrics: EventMetrics;
  clock: Clock;
  sendDeadLetter: (originTopic: string, record: Message) => Promise<void>;
}

/** Applies a replay's records partition by partition; `applied` counts successful handler calls. */
export interface ReplayApplier {
  apply(partition: number, messages: KafkaMessage[]): Promise<void>;
  readonly applied: number;
}

/**
 * The record pipeline as a replay runs it, for both transports: the replay's handlers (counted),
 * its dedup store, dead letters, no group membership (always active, nothing committed).
 */
export function createReplayApplier(
  replay: ReplayOptions,
  pipeline: ReplayPipeline,
): ReplayApplier {
  let applied = 0;
  const handlers = countApplied(replay.handlers, (event) => {
    applied += 1;
    replay.onApplied?.(event);
  });
  return {
    get applied() {
      return applied;
    },
    apply: (partition, messages) =>
      consumeBatch({
        ctx: {
          groupId: replay.groupId,
          handlers,
          contracts: pipeline.contracts,
          ...(replay.dedup && { dedup: replay.dedup }),
          metrics: pipeline.metrics,
          retry: defaultRetryOptions,
          logger: replay.logger,
          sleep: pipeline.clock.sleep,
          sendDeadLetter: pipeline.sendDeadLetter,
        },
        topic: replay.topic,
        partition,
        messages,
        maxInFlight: 16,
        clock: pipeline.clock,
        isActive: () => true,
        leaveNow: () => false,
        heartbeat: async () => undefined,
        commit: async () => undefined,
      }),
  };
}
