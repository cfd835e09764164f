import { collectDefaultMetrics, Registry } from 'prom-client';
import { eventMetrics, type EventHandler } from '../../lib/events';
import { loadSubgraphSdl, startSubgraphServer } from '../../lib/graphql';
import { createPlatformKafka } from '../../lib/kafka';
import { stopAll, type Stoppable } from '../../lib/lifecycle';
import { createLogger, type Logger } from '../../lib/logging';
import { connectMongo, mongoAnswers, mongoConnectionOptions } from '../../lib/mongo';
import { createIntelligenceProjector } from '../../subgraphs/intelligence/src';
import type { ConsumersOptions } from './config';
import { resolvers } from './graphql/resolvers';
import {
  createDedupStore,
  createPartitionedConsumer,
  ensureDedupIndexes,
  type PartitionedConsumer,
  type ProcessedEvent,
} from './framework';

/** The running consumer groups of this process. */
export interface RunningConsumers extends Stoppable {
  url: string;
  /** The `operations` subgraph (dead letters, replay, redrive) served by this role. */
  graphqlUrl: string;
  /** The consumer group members hosted here, by group id. */
  groups: Map<string, PartitionedConsumer>;
}

/**
 * Starts the consumer groups (today: the intelligence read-model projector; the registry's command
 * consumer runs in the registry role) and the `operations` subgraph with health, readiness and
 * metrics (process and event backbone metrics).
 */
export async function startConsumers(
  options: ConsumersOptions,
  logger: Logger = createLogger({
    name: 'consumers',
    level: options.platform.logLevel,
    format: options.platform.logFormat,
  }),
): Promise<RunningConsumers> {
  const started: Stoppable[] = [];
  try {
    const kafka = createPlatformKafka(options.platform.kafka, logger, 'consumers');
    await kafka.ensureTopics();
    const mongo = await connectMongo({
      ...mongoConnectionOptions(options.platform.mongo, 'consumers'),
      logger,
    });
    started.push({ stop: () => mongo.close() });
    const processed = mongo.collection<ProcessedEvent>('processed_events');
    await ensureDedupIndexes(processed);

    const projector = await createIntelligenceProjector(
      options.platform,
      logger.child({ group: options.intelligenceGroupId }),
    );
    started.push(projector);

    const groups = new Map<string, PartitionedConsumer>();
    const startGroup = async (
      groupId: string,
      topics: string[],
      handlers: Record<string, EventHandler>,
    ) => {
      const dedup = createDedupStore({ collection: processed, groupId, ttlMs: options.dedupTtlMs });
      dedup.start();
      started.push(dedup);
      const consumer = createPartitionedConsumer({
        kafka: kafka.kafka,
        groupId,
        topics,
        handlers,
        logger,
        dedup,
        maxInFlightPerPartition: options.maxInFlightPerPartition,
        retry: { maxAttempts: options.maxAttempts },
      });
      await consumer.start();
      started.push(consumer);
      groups.set(groupId, consumer);
    };
    await startGroup(
      options.intelligenceGroupId,
      [kafka.topics.events('registry'), kafka.topics.events('pipeline')],
      projector.handlers,
    );

    const own = new Registry();
    collectDefaultMetrics({ register: own, labels: { role: 'consumers' } });
    const metrics = Registry.merge([own, eventMetrics().registry]);
    const server = await startSubgraphServer({
      name: 'operations',
      ...(options.gatewaySecret && { gatewaySecret: options.gatewaySecret }),
      typeDefs: loadSubgraphSdl('operations'),
      resolvers,
      createContext: (base) => ({ ...base, kafka: kafka.kafka, topics: kafka.topics, groups }),
      port: options.port,
      host: options.host,
      logger,
      metrics,
      readiness: { mongodb: () => mongoAnswers(mongo), ...projector.readiness },
    });
    started.push(server);
    const { url, graphqlUrl } = server;
    logger.info({ url }, 'consumers ready');
    return { url, graphqlUrl, groups, stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started).catch(() => undefined);
    throw error;
  }
}
