import { loadSubgraphSdl, startSubgraphServer, type RunningSubgraph } from '../../../lib/graphql';
import { createPlatformKafka } from '../../../lib/kafka';
import { createLogger, type Logger } from '../../../lib/logging';
import {
  connectMongo,
  ensureIndexes,
  mongoAnswers,
  mongoConnectionOptions,
} from '../../../lib/mongo';
import type { IntelligenceOptions } from './config';
import { createIntelligenceContext } from './context';
import { createIntelligenceModels } from './models';
import { createIntelligenceProjector } from './projections/createIntelligenceProjector';
import { createProjectionHandlers } from './projections/createProjectionHandlers';
import { resolvers } from './resolvers';
import { createSyncController, type SyncController } from './sync/createSyncController';

/** A running intelligence subgraph. */
export interface RunningIntelligence extends RunningSubgraph {
  sync: SyncController;
}

/** Starts the intelligence subgraph over its event-built read model. */
export async function startIntelligence(
  options: IntelligenceOptions,
  logger: Logger = createLogger({
    name: 'intelligence',
    level: options.platform.logLevel,
    format: options.platform.logFormat,
  }),
): Promise<RunningIntelligence> {
  const { mongo: mongoOptions } = options.platform;
  const mongo = await connectMongo({
    ...mongoConnectionOptions(mongoOptions, 'intelligence'),
    logger,
    monitorCommands: options.onCommand !== undefined,
  });
  if (options.onCommand) mongo.getClient().on('commandStarted', options.onCommand);
  const models = createIntelligenceModels(mongo);
  await ensureIndexes(mongo);
  const kafka = createPlatformKafka(options.platform.kafka, logger, 'intelligence');
  const projector = await createIntelligenceProjector({
    mongo,
    models,
    kafka,
    settings: options.projector,
    logger,
  });
  projector.start();
  // Replays apply the same handlers as the live projector; requests for updates stay with the
  // live projector (no relay here), so a replay never re-requests them.
  const sync = createSyncController({
    transport: kafka.transport,
    topic: kafka.topics.events('registry'),
    liveGroupId: options.projector.groupId,
    models,
    handlers: createProjectionHandlers({ models, logger: logger.child({ component: 'sync' }) }),
    logger,
  });
  const deps = { ...models, sync };
  const server = await startSubgraphServer({
    name: 'intelligence',
    ...(options.gatewaySecret && { gatewaySecret: options.gatewaySecret }),
    typeDefs: loadSubgraphSdl('intelligence'),
    resolvers,
    createContext: (base) => createIntelligenceContext(deps, base),
    port: options.port,
    host: options.host,
    // Idempotency-Key records (safe retries of mutations) live in this subgraph's own database.
    idempotency: { connection: mongo },
    logger,
    readiness: { mongodb: () => mongoAnswers(mongo) },
    // Kafka-backed work: reads keep being served (staler) while it is down; /ready names it.
    degradable: projector.readiness,
  });
  return {
    ...server,
    sync,
    async stop() {
      await server.stop();
      await sync.idle();
      await projector.stop();
      await kafka.transport.close();
      await mongo.close();
    },
  };
}
