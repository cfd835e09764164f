import { createEventPublisher, createOutboxRelay, type OutboxRelay } from '../../../lib/events';
import { createPlatformKafka, type PlatformKafka } from '../../../lib/kafka';
import type { Logger } from '../../../lib/logging';
import {
  createBreakerRegistry,
  createHostRateLimiter,
  type BreakerRegistry,
  type HostRateLimiter,
} from '../../../lib/resilience';
import { Registry } from 'prom-client';
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
import { createWebhookDeliveryModel, type WebhookDeliveryModel } from './models/WebhookDelivery';
import { createWebhookSeenDeliveryModel } from './models/WebhookSeenDelivery';
import {
  createDeliveryLog,
  createSeenDeliveries,
  type SeenDeliveries,
  type WebhookDeliveryLog,
} from './webhooks';

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
  /** Circuit breakers of outbound calls (`webhook:<host>`, `ai:<provider>`); metrics in its `registry`. */
  breakers: BreakerRegistry;
  /** Outbound token buckets per host (metrics in `breakers.registry` too). */
  limiter: HostRateLimiter;
  /** Inbound and outbound webhook deliveries (`webhook_deliveries`), and the log over them. */
  webhookDeliveries: WebhookDeliveryModel;
  deliveries: WebhookDeliveryLog;
  /** Inbound delivery ids already accepted (replay refusal). */
  seenDeliveries: SeenDeliveries;
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
  const webhookDeliveries = createWebhookDeliveryModel(mongo);
  const seenDeliveries = createSeenDeliveries(createWebhookSeenDeliveryModel(mongo));
  await ensureIndexes(mongo);
  const deliveries = createDeliveryLog({
    model: webhookDeliveries,
    logger: logger.child({ component: 'webhook-deliveries' }),
  });

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

  // One registry for both, merged into the role's /metrics.
  const resilienceMetrics = new Registry();
  const breakers = createBreakerRegistry({
    ...options.breakers,
    logger: logger.child({ component: 'breakers' }),
    metrics: resilienceMetrics,
  });
  const limiter = createHostRateLimiter({ ...options.outboundRates, metrics: resilienceMetrics });
  const guard = { breakers, limiter };
  const ownActions = [
    ...builtinActions({
      webhook: { secrets: options.webhookSecrets, deliveries, guard, ...options.webhookRetry },
      script: { folders: options.scriptFolders },
      ai: {
        ...options.ai,
        guard,
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
    breakers,
    limiter,
    webhookDeliveries,
    deliveries,
    seenDeliveries,
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
      breakers.shutdown();
      await plugins.stop();
      await relay.stop();
      await publisher.disconnect();
      await mongo.close();
    },
  };
}
