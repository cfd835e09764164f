import type { PlatformOptions } from '../../../../lib/config';
import { createEventPublisher, createOutboxRelay, type EventHandler } from '../../../../lib/events';
import { createPlatformKafka } from '../../../../lib/kafka';
import { createLogger, type Logger } from '../../../../lib/logging';
import { connectMongo, ensureIndexes } from '../../../../lib/mongo';
import { createKeyedQueue } from '../domain/createKeyedQueue';
import { createComponentModel } from '../models/Component';
import { createQualityReportModel } from '../models/QualityReport';
import { createRegistryCommandHandlers } from './createRegistryCommandHandlers';

/** The registry's command handlers, hosted by the consumers role. */
export interface RegistryCommandGroup {
  /** Handlers by event type. */
  handlers: Record<string, EventHandler>;
  /** Topics carrying the commands (the workflow topic). */
  topics: string[];
  stop(): Promise<void>;
}

/**
 * Connects to the registry database and returns the handlers of the registry's commands
 * (`component.registration.requested`, `.update.requested`, `.validation.requested`), plus an
 * outbox relay for the events they commit (`component.registered`, `component.updated`,
 * `quality.*`), so they reach Kafka at once rather than at the registry role's next sweep.
 */
export async function createRegistryCommandGroup(
  platform: PlatformOptions,
  logger: Logger = createLogger({ name: 'registry-commands', level: platform.logLevel }),
): Promise<RegistryCommandGroup> {
  const mongo = await connectMongo({
    uri: platform.mongo.uri,
    dbName: `${platform.mongo.dbPrefix}registry`,
    logger,
    // FerretDB 1.x loses concurrent updates of one document made over different connections: one
    // connection serialises this group's writes (the registry role has its own; see docs/events.md).
    maxPoolSize: 1,
  });
  const components = createComponentModel(mongo);
  const qualityReports = createQualityReportModel(mongo);
  await ensureIndexes(mongo);
  const kafka = createPlatformKafka(platform.kafka, logger, 'registry-commands');
  const publisher = createEventPublisher(kafka.kafka, { prepare: kafka.ensureTopics });
  const relay = createOutboxRelay({
    sources: [{ model: components, topic: kafka.topics.events('registry') }],
    publisher,
    logger: logger.child({ component: 'registry-commands-outbox' }),
  });
  relay.start();
  const handlers = createRegistryCommandHandlers({
    deps: {
      components,
      qualityReports,
      relay,
      changes: createKeyedQueue(),
      eventSource: '/subgraphs/registry',
    },
    logger,
  });
  return {
    handlers,
    topics: [kafka.topics.events('workflow')],
    async stop() {
      await relay.stop();
      await publisher.disconnect();
      await mongo.close();
    },
  };
}
