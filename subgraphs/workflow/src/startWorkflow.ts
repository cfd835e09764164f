import { loadSubgraphSdl, startSubgraphServer, type RunningSubgraph } from '../../../lib/graphql';
import { createLogger, type Logger } from '../../../lib/logging';
import { connectMongo, ensureIndexes } from '../../../lib/mongo';
import { COMPONENT_PIPELINE } from './builtins/componentPipeline';
import type { WorkflowOptions } from './config';
import { createWorkflowContext, type WorkflowDeps } from './context';
import { createWorkflowDefinitionModel } from './models/WorkflowDefinition';
import { createWorkflowRunModel } from './models/WorkflowRun';
import { resolvers } from './resolvers';

/** Stores the built-in definitions if this version is not stored yet (idempotent across instances). */
async function seedBuiltins({ definitions }: WorkflowDeps) {
  const { id, version, name } = COMPONENT_PIPELINE;
  await definitions.updateOne(
    { _id: `${id}@${version}` },
    {
      $setOnInsert: {
        definitionId: id,
        version,
        name,
        spec: COMPONENT_PIPELINE,
        createdAt: new Date(),
      },
    },
    { upsert: true },
  );
}

/** Starts the workflow subgraph. */
export async function startWorkflow(
  options: WorkflowOptions,
  logger: Logger = createLogger({ name: 'workflow', level: options.platform.logLevel }),
): Promise<RunningSubgraph> {
  const { mongo: mongoOptions } = options.platform;
  const mongo = await connectMongo({
    uri: mongoOptions.uri,
    dbName: `${mongoOptions.dbPrefix}workflow`,
    logger,
  });
  const deps = {
    definitions: createWorkflowDefinitionModel(mongo),
    runs: createWorkflowRunModel(mongo),
  };
  await ensureIndexes(mongo);
  await seedBuiltins(deps);
  const server = await startSubgraphServer({
    name: 'workflow',
    typeDefs: loadSubgraphSdl('workflow'),
    resolvers,
    createContext: (base) => createWorkflowContext(deps, base),
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
