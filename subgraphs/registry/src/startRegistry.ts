import { createEventPublisher, createOutboxRelay, type OutboxRelay } from '../../../lib/events';
import { loadSubgraphSdl, startSubgraphServer } from '../../../lib/graphql';
import { createPlatformKafka } from '../../../lib/kafka';
import { createLogger, type Logger } from '../../../lib/logging';
import {
  connectMongo,
  ensureIndexes,
  mongoAnswers,
  mongoConnectionOptions,
} from '../../../lib/mongo';
import type { RegistryOptions } from './config';
import { createRegistryContext } from './context';
import { createKeyedQueue } from './domain/createKeyedQueue';
import { startRegistryCommands } from './commands/startRegistryCommands';
import { createComponentModel } from './models/Component';
import { createQualityReportModel } from './models/QualityReport';
import { resolvers } from './resolvers';

/** A running registry subgraph. */
export interface RunningRegistry {
  url: string;
  graphqlUrl: string;
  relay: OutboxRelay;
  stop(): Promise<void>;
}

/** Starts the registry subgraph: MongoDB models, the outbox relay to Kafka, and the GraphQL server. */
export async function startRegistry(
  options: RegistryOptions,
  logger: Logger = createLogger({
    name: 'registry',
    level: options.platform.logLevel,
    format: options.platform.logFormat,
  }),
): Promise<RunningRegistry> {
  const { platform } = options;
  const mongo = await connectMongo({
    ...mongoConnectionOptions(platform.mongo, 'registry'),
    logger,
    monitorCommands: options.onCommand !== undefined,
  });
  if (options.onCommand) mongo.getClient().on('commandStarted', options.onCommand);
  const components = createComponentModel(mongo);
  const qualityReports = createQualityReportModel(mongo);
  await ensureIndexes(mongo);

  const kafka = createPlatformKafka(platform.kafka, logger, 'registry');
  const publisher = createEventPublisher(kafka.kafka, { prepare: kafka.ensureTopics });
  const relay = createOutboxRelay({
    sources: [{ model: components, topic: kafka.topics.events('registry') }],
    publisher,
    logger: logger.child({ component: 'outbox' }),
  });
  relay.start();

  const deps = {
    components,
    qualityReports,
    relay,
    changes: createKeyedQueue(),
    eventSource: '/subgraphs/registry',
  };
  // Commands from workflow runs are applied with this role's own connection and per-component queue.
  const commands = options.commands
    ? await startRegistryCommands({
        transport: kafka.transport,
        topic: kafka.topics.events('workflow'),
        groupId: options.commands.groupId,
        deps,
        mongo,
        logger: logger.child({ group: options.commands.groupId }),
      })
    : undefined;
  const server = await startSubgraphServer({
    name: 'registry',
    ...(options.gatewaySecret && { gatewaySecret: options.gatewaySecret }),
    typeDefs: loadSubgraphSdl('registry'),
    resolvers,
    createContext: (base) => createRegistryContext(deps, base),
    port: options.port,
    host: options.host,
    // Idempotency-Key records (safe retries of mutations) live in this subgraph's own database.
    idempotency: { connection: mongo },
    logger,
    readiness: { mongodb: () => mongoAnswers(mongo) },
    // Kafka-backed work: the API keeps serving while it is down, and /ready names it.
    degradable: {
      outbox: async () => relay.isProgressing(),
      ...(commands && { commands: async () => commands.consumer.status().state === 'running' }),
    },
  });

  return {
    ...server,
    relay,
    async stop() {
      await server.stop();
      await commands?.stop();
      await relay.stop();
      await publisher.disconnect();
      await kafka.transport.close();
      await mongo.close();
    },
  };
}
