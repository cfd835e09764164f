import type { Connection } from 'mongoose';
import {
  createDedupStore,
  createEventPublisher,
  createOutboxRelay,
  ensureDedupIndexes,
  type EventHandler,
  type GroupMember,
  type OutboxRelay,
  type ProcessedEvent,
} from '../../../../lib/events';
import type { PlatformKafka } from '../../../../lib/kafka';
import type { Logger } from '../../../../lib/logging';
import type { ProjectorOptions } from '../config';
import type { IntelligenceModels } from '../models';
import { createProjectionHandlers } from './createProjectionHandlers';

/** The intelligence read-model projector, run by the intelligence role (its database's writer). */
export interface IntelligenceProjector {
  /** The live group member applying registry and pipeline events. */
  member: GroupMember;
  /** Publishes intelligence's own events (`component.update.requested`). */
  relay: OutboxRelay;
  /** Handlers by event type (replays apply them too). */
  handlers: Record<string, EventHandler>;
  /** Readiness checks of the member and the relay. */
  readiness: Record<string, () => Promise<boolean>>;
  start(): void;
  stop(): Promise<void>;
}

/** Options of {@link createIntelligenceProjector}. */
export interface IntelligenceProjectorOptions {
  mongo: Connection;
  models: IntelligenceModels;
  kafka: PlatformKafka;
  settings: ProjectorOptions;
  logger: Logger;
}

/**
 * Creates the projector: a member of the live group over the registry and pipeline topics
 * (deduplicated in this database's `processed_events`) and the relay of intelligence's outbox.
 */
export async function createIntelligenceProjector(
  options: IntelligenceProjectorOptions,
): Promise<IntelligenceProjector> {
  const { mongo, models, kafka, settings } = options;
  const logger = options.logger.child({ group: settings.groupId });
  const processed = mongo.collection<ProcessedEvent>('processed_events');
  await ensureDedupIndexes(processed);
  const dedup = createDedupStore({
    collection: processed,
    groupId: settings.groupId,
    ttlMs: settings.dedupTtlMs,
  });
  const publisher = createEventPublisher(kafka.kafka, { prepare: kafka.ensureTopics });
  const relay = createOutboxRelay({
    sources: [{ model: models.investigations, topic: kafka.topics.events('intelligence') }],
    publisher,
    logger: logger.child({ component: 'intelligence-outbox' }),
  });
  const handlers = createProjectionHandlers({ models, logger, relay });
  const member = kafka.transport.subscribe({
    groupId: settings.groupId,
    topics: [kafka.topics.events('registry'), kafka.topics.events('pipeline')],
    handlers,
    logger,
    dedup,
    maxInFlightPerPartition: settings.maxInFlightPerPartition,
    retry: { maxAttempts: settings.maxAttempts },
  });
  return {
    member,
    relay,
    handlers,
    readiness: {
      projector: async () => member.status().state === 'running',
      intelligenceOutbox: async () => relay.isProgressing(),
    },
    start() {
      dedup.start();
      relay.start();
      member.start();
    },
    async stop() {
      await member.stop();
      await relay.stop();
      await dedup.stop();
      await publisher.disconnect();
    },
  };
}
