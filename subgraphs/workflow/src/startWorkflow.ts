import { loadSubgraphSdl, startSubgraphServer, type RunningSubgraph } from '../../../lib/graphql';
import { createLogger, type Logger } from '../../../lib/logging';
import { mongoAnswers } from '../../../lib/mongo';
import type { WorkflowOptions } from './config';
import { createWorkflowContext } from './context';
import {
  createWorkflowRuntime,
  type WorkflowRuntime,
  type WorkflowRuntimeExtras,
} from './createWorkflowRuntime';
import type { GroupMember } from '../../../lib/events';
import type { WorkflowEngine } from './engine/createWorkflowEngine';
import { createComponentLinkConsumer } from './links/createComponentLinkConsumer';
import { resolvers } from './resolvers';
import { mountWebhookRoutes } from './webhooks';

/** A running workflow role: the subgraph and (unless disabled) one engine instance. */
export interface RunningWorkflow extends RunningSubgraph {
  runtime: WorkflowRuntime;
  /** The engine started with the role; undefined when `engine.enabled` is false. */
  engine?: WorkflowEngine;
}

/** Starts the workflow subgraph and its engine. */
export async function startWorkflow(
  options: WorkflowOptions,
  logger: Logger = createLogger({
    name: 'workflow',
    level: options.platform.logLevel,
    format: options.platform.logFormat,
  }),
  extras: WorkflowRuntimeExtras = {},
): Promise<RunningWorkflow> {
  const runtime = await createWorkflowRuntime(options, logger, extras);
  let engine: WorkflowEngine | undefined;
  let links: GroupMember | undefined;
  try {
    if (options.engine.enabled) {
      engine = runtime.createEngine();
      await engine.start();
      // Components the registry registers for a run are linked to it (WorkflowRun.components).
      links = createComponentLinkConsumer({
        transport: runtime.kafka.transport,
        topic: runtime.kafka.topics.events('registry'),
        groupId: `${options.engine.groupId}-component-links`,
        links: runtime.componentLinks,
        logger,
      });
      links.start();
    }
    const server = await startSubgraphServer({
      name: 'workflow',
      ...(options.gatewaySecret && { gatewaySecret: options.gatewaySecret }),
      typeDefs: loadSubgraphSdl('workflow'),
      resolvers,
      createContext: (base) => createWorkflowContext(runtime, base),
      port: options.port,
      host: options.host,
      // Idempotency-Key records (safe retries of mutations) live in this subgraph's own database.
      idempotency: { connection: runtime.mongo },
      // Inbound webhooks are signed by their own source, not by the gateway.
      routes: (app) =>
        mountWebhookRoutes(app, {
          sources: options.webhookSources,
          commands: runtime.commands,
          seen: runtime.seenDeliveries,
          deliveries: runtime.deliveries,
          logger: logger.child({ component: 'webhooks' }),
        }),
      logger,
      extraMetrics: [runtime.plugins.metrics.registry, runtime.breakers.registry],
      readiness: { mongodb: () => mongoAnswers(runtime.mongo) },
      // Kafka-backed work: the API keeps serving while it is down, and /ready names it.
      degradable: {
        outbox: async () => runtime.relay.isProgressing(),
        ...(engine && { engine: async () => engine!.consumer.status().state === 'running' }),
        ...(links && { componentLinks: async () => links!.status().state === 'running' }),
      },
    });
    return {
      ...server,
      runtime,
      engine,
      async stop() {
        await server.stop();
        await links?.stop();
        await engine?.stop();
        await runtime.stop();
      },
    };
  } catch (error) {
    await links?.stop().catch(() => undefined);
    await engine?.stop().catch(() => undefined);
    await runtime.stop().catch(() => undefined);
    throw error;
  }
}
