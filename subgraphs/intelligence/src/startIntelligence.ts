import { loadSubgraphSdl, startSubgraphServer, type RunningSubgraph } from '../../../lib/graphql';
import { createLogger, type Logger } from '../../../lib/logging';
import { connectMongo, ensureIndexes } from '../../../lib/mongo';
import type { IntelligenceOptions } from './config';
import { createIntelligenceContext } from './context';
import { createComponentInsightModel } from './models/ComponentInsight';
import { resolvers } from './resolvers';

/** Starts the intelligence subgraph over its event-built read model. */
export async function startIntelligence(
  options: IntelligenceOptions,
  logger: Logger = createLogger({ name: 'intelligence', level: options.platform.logLevel }),
): Promise<RunningSubgraph> {
  const { mongo: mongoOptions } = options.platform;
  const mongo = await connectMongo({
    uri: mongoOptions.uri,
    dbName: `${mongoOptions.dbPrefix}intelligence`,
    logger,
  });
  const deps = { insights: createComponentInsightModel(mongo) };
  await ensureIndexes(mongo);
  const server = await startSubgraphServer({
    name: 'intelligence',
    typeDefs: loadSubgraphSdl('intelligence'),
    resolvers,
    createContext: (base) => createIntelligenceContext(deps, base),
    port: options.port,
    host: options.host,
    logger,
    readiness: { mongodb: async () => mongo.readyState === 1 },
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      await mongo.close();
    },
  };
}
