import { collectDefaultMetrics, Registry } from 'prom-client';
import { eventMetrics, type GroupMember } from '../../lib/events';
import { loadSubgraphSdl, startSubgraphServer } from '../../lib/graphql';
import { createPlatformKafka } from '../../lib/kafka';
import { stopAll, type Stoppable } from '../../lib/lifecycle';
import { createLogger, type Logger } from '../../lib/logging';
import type { ConsumersOptions } from './config';
import { resolvers } from './graphql/resolvers';

/** The running operations role. */
export interface RunningConsumers extends Stoppable {
  url: string;
  /** The `operations` subgraph (dead letters, replay, redrive) served by this role. */
  graphqlUrl: string;
  /** Consumer group members hosted here, by group id (none today: each role hosts its own). */
  groups: Map<string, GroupMember>;
}

/**
 * Starts the operations role: the `operations` subgraph (dead letters, replay, redrive, parked
 * outbox events) with health, readiness and metrics. It hosts no consumer group: every group runs
 * in the role that owns its data (the projector in intelligence, commands in registry and
 * workflow), so no import runs from a subgraph into this role or back.
 */
export async function startConsumers(
  options: ConsumersOptions,
  logger: Logger = createLogger({
    name: 'operations',
    level: options.platform.logLevel,
    format: options.platform.logFormat,
  }),
): Promise<RunningConsumers> {
  const started: Stoppable[] = [];
  try {
    const kafka = createPlatformKafka(options.platform.kafka, logger, 'operations');
    started.push({ stop: () => kafka.transport.close() });
    const groups = new Map<string, GroupMember>();
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
        kafka: kafka.kafka,
        transport: kafka.transport,
        topics: kafka.topics,
        groups,
      }),
      port: options.port,
      host: options.host,
      logger,
      metrics,
    });
    started.push(server);
    const { url, graphqlUrl } = server;
    logger.info({ url }, 'operations ready');
    return { url, graphqlUrl, groups, stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started).catch(() => undefined);
    throw error;
  }
}
