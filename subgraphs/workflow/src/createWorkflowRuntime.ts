import { createEventPublisher, createOutboxRelay, type OutboxRelay } from '../../../lib/events';
import { createPlatformKafka, type PlatformKafka } from '../../../lib/kafka';
import type { Logger } from '../../../lib/logging';
import {
  connectMongo,
  ensureIndexes,
  mongoConnectionOptions,
  type MongoConnection,
} from '../../../lib/mongo';
import { createIntelligenceContextSource } from './actions/ai/intelligenceContextSource';
import { builtinActions } from './actions/builtinActions';
import { createActionRegistry, type ActionRegistry } from './actions/createActionRegistry';
import type { ActionHandler } from './actions/types';
import { createPluginSet, type PluginSet } from './plugins/createPluginSet';
import { COMPONENT_PIPELINE } from './builtins/componentPipeline';
import type { WorkflowOptions } from './config';
import { validateDefinition } from './definitions/validateDefinition';
import { createWorkflowEngine, type WorkflowEngine } from './engine/createWorkflowEngine';
import { createDefinitionCache, type DefinitionCache } from './engine/definitionCache';
import { createRunStore, type RunStore } from './engine/runStore';
import { createRunCommitModel, type RunCommitModel } from './models/RunCommit';
import { createRunComponentLinkModel, type RunComponentLinkModel } from './models/RunComponentLink';
import { createRunEventModel, type RunEventModel } from './models/RunEvent';
import { createScheduleTickModel, type ScheduleTickModel } from './models/ScheduleTick';
import {
  createWorkflowDefinitionModel,
  type WorkflowDefinitionModel,
} from './models/WorkflowDefinition';
import { createWorkflowRunModel, type WorkflowRunModel } from './models/WorkflowRun';
import { createRunCommands, type RunCommands } from './services/createRunCommands';

/** Everything the workflow role is made of, shared by the GraphQL server and engine instances. */
export interface WorkflowRuntime {
  mongo: MongoConnection;
  kafka: PlatformKafka;
  definitions: WorkflowDefinitionModel;
  runs: WorkflowRunModel;
  runEvents: RunEventModel;
  commits: RunCommitModel;
  ticks: ScheduleTickModel;
  /** Components linked to runs after registration (`run_components`). */
  componentLinks: RunComponentLinkModel;
  relay: OutboxRelay;
  store: RunStore;
  cache: DefinitionCache;
  actions: ActionRegistry;
  /** Configured plugins, their sandboxed processes and metrics. */
  plugins: PluginSet;
  commands: RunCommands;
  /** Creates (does not start) another engine instance in this process; tests use several. */
  createEngine(): WorkflowEngine;
  stop(): Promise<void>;
}

/** Extra options for embedding (tests): more actions. */
export interface WorkflowRuntimeExtras {
  actions?: ActionHandler[];
}

/** Stores the built-in definitions if this version is not stored yet (idempotent across instances). */
async function seedBuiltins(definitions: WorkflowDefinitionModel, actions: ActionRegistry) {
  const spec = validateDefinition(COMPONENT_PIPELINE, actions);
  await definitions.updateOne(
    { _id: `${spec.id}@${spec.version}` },
    {
      $setOnInsert: {
        definitionId: spec.id,
        version: spec.version,
        name: spec.name,
        spec,
        createdAt: new Date(),
      },
    },
    { upsert: true },
  );
}

/** Connects MongoDB and Kafka and builds the workflow role's components. */
export async function createWorkflowRuntime(
  options: WorkflowOptions,
  logger: Logger,
  extras: WorkflowRuntimeExtras = {},
): Promise<WorkflowRuntime> {
  const { platform } = options;
  const mongo = await connectMongo({
    ...mongoConnectionOptions(platform.mongo, 'workflow'),
    logger,
  });
  const definitions = createWorkflowDefinitionModel(mongo);
  const runs = createWorkflowRunModel(mongo);
  const runEvents = createRunEventModel(mongo);
  const commits = createRunCommitModel(mongo);
  const ticks = createScheduleTickModel(mongo);
  const componentLinks = createRunComponentLinkModel(mongo);
  await ensureIndexes(mongo);

  const kafka = createPlatformKafka(platform.kafka, logger, 'workflow');
  // Topics are created by the first publish or join that reaches Kafka: no wait for it here.
  const publisher = createEventPublisher(kafka.kafka, { prepare: kafka.ensureTopics });
  const relay = createOutboxRelay({
    // A run's events span its commit documents: relay them in revision order.
    sources: [
      { model: commits, topic: kafka.topics.events('workflow'), order: { runId: 1, revision: 1 } },
    ],
    publisher,
    logger: logger.child({ component: 'outbox' }),
    intervalMs: 250,
  });
  relay.start();

  const ownActions = [
    ...builtinActions({
      webhook: { secrets: options.webhookSecrets },
      script: { folders: options.scriptFolders },
      ai: {
        ...options.ai,
        projectContext:
          options.ai.projectContext ??
          (options.intelligence &&
            createIntelligenceContextSource({
              ...options.intelligence,
              gatewaySecret: options.gatewaySecret,
            })),
      },
      testActions: options.testActions,
    }),
    ...(extras.actions ?? []),
  ];
  const plugins = createPluginSet({
    entries: options.plugins,
    reservedActionNames: ownActions.map((action) => action.name),
    logger: logger.child({ component: 'plugins' }),
  });
  // Refusals and failed starts are listed by the `plugins` query; the role starts regardless.
  await plugins.start();
  const actions = createActionRegistry([...ownActions, ...plugins.actions]);
  await seedBuiltins(definitions, actions);
  const store = createRunStore({ runs, runEvents, commits, relay, source: '/subgraphs/workflow' });
  const cache = createDefinitionCache(definitions);
  const commands = createRunCommands({
    store,
    definitions,
    cache,
    pendingSignals: options.pendingSignals,
  });

  return {
    mongo,
    kafka,
    definitions,
    runs,
    runEvents,
    commits,
    ticks,
    componentLinks,
    relay,
    store,
    cache,
    actions,
    plugins,
    commands,
    createEngine: () =>
      createWorkflowEngine({
        transport: kafka.transport,
        topic: kafka.topics.events('workflow'),
        groupId: options.engine.groupId,
        runs,
        commits,
        definitions,
        ticks,
        store,
        cache,
        actions,
        commands,
        logger,
        timerIntervalMs: options.engine.timerIntervalMs,
        scheduleIntervalMs: options.engine.scheduleIntervalMs,
      }),
    async stop() {
      await plugins.stop();
      await relay.stop();
      await publisher.disconnect();
      await mongo.close();
    },
  };
}
