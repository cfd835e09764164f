import type { PlatformOptions } from '../../../../lib/config';
import { createEventPublisher, createOutboxRelay, type EventHandler } from '../../../../lib/events';
import { createPlatformKafka } from '../../../../lib/kafka';
import { createLogger, type Logger } from '../../../../lib/logging';
import {
  connectMongo,
  ensureIndexes,
  mongoAnswers,
  mongoConnectionOptions,
} from '../../../../lib/mongo';
import { createIntelligenceModels } from '../models';
import { createProjectionHandlers } from './createProjectionHandlers';

/** The intelligence read-model projector hosted by the consumers role. */
export interface IntelligenceProjector {
  /** Handlers by event type. */
  handlers: Record<string, EventHandler>;
  /** Readiness checks of its database and outbox relay. */
  readiness: Record<string, () => Promise<boolean>>;
  stop(): Promise<void>;
}

/**
 * Connects to the intelligence database and returns the event handlers that build its read model,
 * plus the relay that publishes intelligence's own events (`component.update.requested`).
 */
export async function createIntelligenceProjector(
  platform: PlatformOptions,
  logger: Logger = createLogger({
    name: 'intelligence-projector',
    level: platform.logLevel,
    format: platform.logFormat,
  }),
): Promise<IntelligenceProjector> {
  const mongo = await connectMongo({
    ...mongoConnectionOptions(platform.mongo, 'intelligence'),
    logger,
  });
  const models = createIntelligenceModels(mongo);
  await ensureIndexes(mongo);
  const kafka = createPlatformKafka(platform.kafka, logger, 'intelligence-projector');
  const publisher = createEventPublisher(kafka.kafka, { prepare: kafka.ensureTopics });
  const relay = createOutboxRelay({
    sources: [{ model: models.investigations, topic: kafka.topics.events('intelligence') }],
    publisher,
    logger: logger.child({ component: 'intelligence-outbox' }),
  });
  relay.start();
  return {
    handlers: createProjectionHandlers({ models, logger, relay }),
    readiness: {
      intelligenceDb: () => mongoAnswers(mongo),
      intelligenceOutbox: async () => relay.isProgressing(),
    },
    async stop() {
      await relay.stop();
      await publisher.disconnect();
      await mongo.close();
    },
  };
}
