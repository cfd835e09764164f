import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { eventMetrics } from '../../lib/events';
import {
  closeServer,
  createHttpApp,
  createJsonErrorHandler,
  listen,
  notFoundAsJson,
  parseByteSize,
} from '../../lib/http';
import { createPlatformKafka } from '../../lib/kafka';
import { createLogger, type Logger } from '../../lib/logging';
import { createGraphQLTracing, startTelemetry } from '../../lib/telemetry';
import type { GatewayOptions } from './config';
import type { GatewayContext } from './context';
import { DEFAULT_SUBGRAPH_TIMEOUT_MS, SubgraphDataSource } from './createDataSource';
import { createGatewayResilience } from './createGatewayResilience';
import { createFastGateway } from './executor';
import {
  createKafkaEventSource,
  createSubscriptionManager,
  createSubscriptionServer,
  WORKFLOW_SUBSCRIPTION_FIELDS,
  type SubscriberIdentity,
  type SubscriptionServer,
} from './subscriptions';
import { bodyErrors, refuseLargeBatches } from './httpGuards';
import { chooseLandingPage } from './landingPage';
import { mountExplorer } from './explorer/mountExplorer';
import { serveUiPage } from './ui/serveUiPage';
import { createErrorMasking } from './plugins/useErrorMasking';
import { createJwtVerifier } from './plugins/useJwtAuthentication';
import { useIdempotencyKey } from './plugins/useIdempotencyKey';
import { useOperationLimits } from './plugins/useOperationLimits';
import { useOperationResolution } from './plugins/useOperationResolution';
import { useRequireAuthentication } from './plugins/useRequireAuthentication';
import { useSafelist } from './plugins/useSafelist';
import { useUnexpectedErrors } from './plugins/useUnexpectedErrors';
import { supergraphSource } from './supergraphSource';
import { reachableSubgraphs, subgraphUrlsOf } from './subgraphReadiness';
import { createGatewayMetrics } from './plugins/useMetrics';
import { useRateLimits } from './plugins/useRateLimits';
import { rateLimitKey } from './rateLimits';

/** A running gateway. */
export interface RunningGateway {
  url: string;
  graphqlUrl: string;
  /** `ws://…/graphql` when subscriptions are enabled. */
  subscriptionsUrl: string;
  /** This process's metrics (summed across workers by the primary in multi-core mode). */
  metricsRegistry: Registry;
  stop(): Promise<void>;
}

/** Turns an Apollo Server response into a plain execution result. */
function toExecutionResult(body: { kind: string; singleResult?: unknown }): ExecutionResult {
  if (body.kind !== 'single')
    return { errors: [{ message: 'incremental delivery not supported' }] } as never;
  return body.singleResult as ExecutionResult;
}

/**
 * Starts the federated gateway: HTTP GraphQL and graphql-ws subscriptions on `/graphql`, health,
 * readiness and metrics, over the configured supergraph source.
 */
export async function startGateway(
  options: GatewayOptions,
  logger: Logger = createLogger({
    name: 'gateway',
    level: options.logLevel,
    format: options.platform.logFormat,
  }),
): Promise<RunningGateway> {
  // Here rather than in main.ts: each cluster worker is its own process with its own provider.
  // First call in a process wins, so under the stack (or a test) this is a no-op.
  const telemetry = await startTelemetry(options.platform.telemetry, 'gateway');
  const ownMetrics = new Registry();
  collectDefaultMetrics({ register: ownMetrics, labels: { role: 'gateway' } });
  const metrics = createGatewayMetrics(ownMetrics);
  const resilience = createGatewayResilience(options, logger);
  // Plus the event backbone's (the live-event member's `event_consumer_up`, restarts, skips) and
  // the breakers' states and transitions.
  const metricsRegistry = Registry.merge([
    ownMetrics,
    eventMetrics().registry,
    ...resilience.registries,
  ]);
  if (!options.apolloTelemetry) {
    // @apollo/gateway reads only this variable; without it, stop() waits on an export to Apollo.
    process.env.APOLLO_TELEMETRY_DISABLED = '1';
  }
  const gateway = new ApolloGateway({
    ...supergraphSource(options, logger),
    logger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: options.subgraphUrls[name] ?? url ?? '',
        timeoutMs: options.subgraphTimeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS,
        ...(options.signingSecret && { signingSecret: options.signingSecret }),
        observe: metrics.observeSubgraph,
        ...(resilience.breakers && { breakers: resilience.breakers }),
      }),
    experimental_approximateQueryPlanStoreMiB: options.queryPlanCacheMiB ?? 30,
  });
  const verifyToken = options.jwt ? createJwtVerifier(options.jwt) : undefined;
  const requireAuthFor = options.requireAuthFor ?? [];
  const limits = options.limits ?? {};
  let apiSchema: GraphQLSchema | undefined;
  let coreSupergraphSdl = '';
  gateway.onSchemaLoadOrUpdate(({ apiSchema: next, coreSupergraphSdl: sdl }) => {
    apiSchema = next;
    coreSupergraphSdl = sdl;
  });
  const supergraphUrls = () => ({ ...subgraphUrlsOf(coreSupergraphSdl), ...options.subgraphUrls });
  const subscriptionsEnabled = options.subscriptions?.enabled ?? true;
  const platformKafka = subscriptionsEnabled
    ? createPlatformKafka(options.platform.kafka, logger, 'gateway')
    : undefined;
  const eventSource = platformKafka
    ? createKafkaEventSource({
        transport: platformKafka.transport,
        topics: [
          ...new Set(
            Object.values(WORKFLOW_SUBSCRIPTION_FIELDS).map((f) =>
              platformKafka.topics.events(f.topic),
            ),
          ),
        ],
        groupId: `${options.platform.kafka.topicPrefix}${options.platform.kafka.clientId}-gateway-${randomUUID()}`,
        logger,
      })
    : undefined;

  const { app } = createHttpApp({
    role: 'gateway',
    metrics: metricsRegistry,
    readiness: {
      supergraph: async () => apiSchema !== undefined,
      subgraphs: async () => reachableSubgraphs(supergraphUrls()),
    },
    // Queries and mutations are served without live events: /ready says `degraded`, stays 200.
    ...(eventSource && { degradable: { subscriptionEvents: async () => eventSource.ready } }),
  });
  // Admin information like /ready and /metrics (served alongside them, without authentication).
  app.get('/breakers', (_req, res) => {
    res.json({ breakers: resilience.breakers?.list() ?? [] });
  });
  const httpServer = createServer(app);
  let subscriptionServer: SubscriptionServer | undefined;
  const production = options.env === 'production';
  const tracing = createGraphQLTracing({ name: 'gateway' });
  // The board's page is as public as /graphql's landing page; its data is not: every operation it
  // sends carries the user's token through the same JWT checks as any client (docs/board.md).
  if (options.board ?? !production) app.use(serveUiPage({ page: 'board', path: '/board' }));
  const landingPage = chooseLandingPage(
    production,
    options.apollo?.graphRef,
    options.explorer?.mode,
  );
  const apollo = new ApolloServer<GatewayContext>({
    // Apollo's gateway (schema, plans, data sources) on our executor: see gateway/src/executor.
    gateway: createFastGateway(gateway),
    logger,
    introspection: options.introspection ?? !production,
    ...(options.apollo && { apollo: options.apollo }),
    csrfPrevention: true,
    // Shutdown is runMain's (lib/lifecycle): Apollo's own SIGTERM handler stopped the server a
    // second time, concurrently (Apollo Server 5 never resolves the second stop() call) and then
    // re-sent SIGTERM to the process, which runMain took for an impatient second signal: exit 1.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: (limits.maxBatch ?? 1) > 1,
    includeStacktraceInErrorResponses: !production,
    formatError: createErrorMasking(production),
    // APQ is on by default with Apollo Server's bounded in-memory cache.
    ...(options.persistedQueries === false && { persistedQueries: false as const }),
    plugins: [
      tracing.plugin,
      metrics.plugin,
      ...(resilience.limiter ? [useRateLimits(resilience.limiter)] : []),
      useOperationLimits(limits),
      useUnexpectedErrors(logger, { masked: production }),
      useIdempotencyKey(),
      ...(requireAuthFor.length > 0 ? [useRequireAuthentication(requireAuthFor)] : []),
      ...(options.safelist ? [useSafelist(options.safelist)] : []),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await subscriptionServer?.close();
            },
          };
        },
      },
      // An unknown or ambiguous operation is a 400, not the executor's 500.
      useOperationResolution(),
      // No "Did you mean …" in production: suggestions spell out the schema to a prober.
      ...(production ? [ApolloServerPluginDisableSuggestions()] : []),
      landingPage.plugin,
    ],
  });
  await apollo.start();

  const execute = async (
    document: DocumentNode,
    variables: Record<string, unknown>,
    identity: SubscriberIdentity,
    operationName?: string,
  ): Promise<ExecutionResult> => {
    const response = await apollo.executeOperation(
      { query: document, variables, ...(operationName && { operationName }) },
      {
        contextValue: {
          correlationId: randomUUID(),
          ...(identity.claims && { claims: identity.claims }),
        },
      },
    );
    return toExecutionResult(response.body);
  };

  // Kafka is never awaited here: queries and mutations are served whatever its state, and a
  // subscription waits for a ready event source (or is answered SERVICE_UNAVAILABLE). The source
  // joins in the background, creating the topics first (the transport's `prepare`), and retries
  // with backoff for as long as Kafka is unreachable.
  let stopReadyLog: (() => void) | undefined;
  if (platformKafka && eventSource) {
    const eventsLog = logger.child({ component: 'subscription-events' });
    stopReadyLog = eventSource.onReadyChange((ready) => {
      if (ready) eventsLog.info('live events flowing: subscriptions are served');
      else
        eventsLog.warn(
          'live events unavailable: subscriptions end with SERVICE_UNAVAILABLE until the event source is ready again',
        );
    });
    eventSource.start();
    const manager = createSubscriptionManager({
      fields: WORKFLOW_SUBSCRIPTION_FIELDS,
      topics: platformKafka.topics,
      source: eventSource,
      execute,
      logger,
      maxBufferedPerClient: options.subscriptions?.clientBuffer ?? 100,
      onActiveChange: metrics.setActiveSubscriptions,
      ...(options.authorizeSubscription && { authorize: options.authorizeSubscription }),
    });
    subscriptionServer = createSubscriptionServer({
      httpServer,
      path: '/graphql',
      getSchema: () => apiSchema,
      manager,
      executeOperation: (document, variables, operationName, identity) =>
        execute(document, variables, identity, operationName),
      isProduction: production,
      limits,
      logger,
      // Same rules as HTTP: anonymous sockets are accepted, protected operation types refused.
      requireAuthFor,
      admit: resilience.admitSocketOperation,
      // A WebSocket message is limited like an HTTP body (over it: close 1009).
      maxPayloadBytes: parseByteSize(limits.bodyLimit ?? '1mb'),
      connectionInitWaitTimeoutMs: options.subscriptions?.connectionInitTimeoutMs ?? 30_000,
      ...(verifyToken && {
        // No token: anonymous (null). An invalid one throws, and the socket is closed 4401.
        authenticate: async (params, request) => {
          const header =
            (typeof params?.authorization === 'string' ? params.authorization : undefined) ??
            (typeof params?.Authorization === 'string' ? params.Authorization : undefined) ??
            request.headers.authorization;
          const claims = await verifyToken(header);
          return claims
            ? { principal: String(claims.sub ?? JSON.stringify(claims)), claims }
            : null;
        },
      }),
    });
  }

  // The bundled explorer, ahead of Apollo Server's page, when the mode calls for it.
  const explorer = mountExplorer(app, landingPage, options.explorer, logger);
  // `/` leads to the explorer wherever one is served (Sandbox or the bundled one; not a Studio link).
  if (
    landingPage.localExplorer !== 'never' ||
    landingPage.description === 'Apollo Sandbox (embedded)'
  )
    app.get('/', (_req, res) => res.redirect('/graphql'));
  const maxBatch = limits.maxBatch ?? 1;
  app.use(
    '/graphql',
    express.json({ limit: limits.bodyLimit ?? '1mb' }),
    refuseLargeBatches(maxBatch),
    // SERVER span per operation, continuing the client's traceparent; assigns x-correlation-id.
    tracing.middleware,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const claims = verifyToken ? await verifyToken(req.header('authorization')) : null;
        return {
          correlationId: req.header('x-correlation-id') ?? randomUUID(),
          ...(claims && { claims }),
          ...(resilience.limiter && {
            rateLimitKey: rateLimitKey(claims, req.socket.remoteAddress),
          }),
        };
      },
    }),
    bodyErrors,
  );
  // Malformed JSON, unknown paths, anything thrown: GraphQL JSON, never Express' HTML page.
  app.use(notFoundAsJson, createJsonErrorHandler(logger));
  const url = await listen(httpServer, options.port, options.host);
  // `auto` names what it serves once its first probe has answered (bounded by the probe timeout).
  await explorer.ready;
  // Says what is served: the landing page really served, introspection, the socket if any.
  logger.info(
    {
      url: `${url}/graphql`,
      landingPage: explorer.description(),
      introspection: options.introspection ?? !production,
      subscriptions: subscriptionServer ? `${url.replace(/^http/, 'ws')}/graphql` : 'off',
      ...(eventSource && { subscriptionEvents: eventSource.ready }),
    },
    'gateway ready',
  );
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    subscriptionsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    metricsRegistry,
    async stop() {
      stopReadyLog?.();
      explorer.stop();
      await apollo.stop();
      await closeServer(httpServer);
      await eventSource?.stop();
      resilience.stop();
      await telemetry.stop();
    },
  };
}
