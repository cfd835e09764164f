import { collectDefaultMetrics, Registry } from 'prom-client';
import { eventMetrics } from '../../lib/events';
import { loadSubgraphSdl, startSubgraphServer } from '../../lib/graphql';
import { createPlatformKafka } from '../../lib/kafka';
import { readConsumerLag } from './operations/consumerLag';
import { stopAll, type Stoppable } from '../../lib/lifecycle';
import { createLogger, type Logger } from '../../lib/logging';
import type { OperationsOptions } from './config';
import { resolvers } from './graphql/resolvers';
import { openParkedEventStore } from './operations/parkedEvents';
import { createReplayJobs } from './operations/replayJobs';

/** The running operations role. */
export interface RunningOperations extends Stoppable {
  url: string;
  /** The `operations` subgraph (dead letters, replay, redrive) served by this role. */
  graphqlUrl: string;
}

/**
 * Starts the operations role: the `operations` subgraph (dead letters, replay, redrive, parked
 * outbox events) with health, readiness and metrics. It hosts no consumer group: every group runs
 * in the role that owns its data (the projector in intelligence, commands in registry and
 * workflow), so no import runs from a subgraph into this role or back.
 */
export async function startOperations(
  options: OperationsOptions,
  logger: Logger = createLogger({
    name: 'operations',
    level: options.platform.logLevel,
    format: options.platform.logFormat,
  }),
): Promise<RunningOperations> {
  const started: Stoppable[] = [];
  try {
    const kafka = createPlatformKafka(options.platform.kafka, logger, 'operations');
    started.push({ stop: () => kafka.transport.close() });
    // Dead-letter topics are read before any role may have created them: create them when Kafka
    // answers, without holding the start on it.
    void kafka.ensureTopics().catch((error: unknown) => {
      logger.warn(
        { err: error },
        'topics not ensured yet (Kafka unreachable); reads retry per call',
      );
    });
    const replayJobs = createReplayJobs({
      rewind: (groupId, topic, from) => kafka.transport.rewind(groupId, topic, from),
      countMembers: (groupId) => kafka.transport.members(groupId),
      logger,
    });
    started.push(replayJobs);
    // Connects on first use: the role starts (and serves dead letters) while MongoDB is away.
    const parkedEvents = openParkedEventStore({ mongo: options.platform.mongo, logger });
    started.push(parkedEvents);
    const own = new Registry();
    collectDefaultMetrics({ register: own, labels: { role: 'operations' } });
    const metrics = Registry.merge([own, eventMetrics().registry]);
    const server = await startSubgraphServer({
      name: 'operations',
      ...(options.gatewaySecret && { gatewaySecret: options.gatewaySecret }),
      typeDefs: loadSubgraphSdl('operations'),
      resolvers,
      createContext: (base) => ({
        ...base,
        transport: kafka.transport,
        topics: kafka.topics,
        replayJobs,
        parkedEvents,
        consumerLag: (groupId) =>
          readConsumerLag(kafka.kafka, { groupPrefix: kafka.group(''), groupId }),
      }),
      port: options.port,
      host: options.host,
      logger,
      metrics,
    });
    started.push(server);
    const { url, graphqlUrl } = server;
    logger.info({ url }, 'operations ready');
    return { url, graphqlUrl, stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started).catch(() => undefined);
    throw error;
  }
}
