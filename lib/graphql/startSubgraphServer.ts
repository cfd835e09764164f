import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import express from 'express';
import type { DocumentNode } from 'graphql';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { isSignedByGateway } from './gatewaySignature';
import { eventMetrics } from '../events';
import type { Logger } from '../logging';
import {
  closeServer,
  createHttpApp,
  createJsonErrorHandler,
  listen,
  notFoundAsJson,
  type ReadinessCheck,
} from '../http';
import { createGraphQLTracing } from '../telemetry';
import { createIdempotencyStore, type IdempotencyStoreOptions } from './idempotencyStore';
import { useIdempotency, type UseIdempotencyOptions } from './useIdempotency';

/** What every subgraph resolver gets in its context. */
export interface BaseContext {
  correlationId: string;
  logger: Logger;
}

/** Options of {@link startSubgraphServer}. */
export interface SubgraphServerOptions<C extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<C>;
  /** Builds the per-request context (DataLoaders live here). */
  createContext: (base: BaseContext) => C;
  port: number;
  host: string;
  logger: Logger;
  readiness?: Record<string, ReadinessCheck>;
  /** Parts served without (Kafka-backed work): false makes `/ready` 200 `degraded`. */
  degradable?: Record<string, ReadinessCheck>;
  /** @default '1mb' */
  bodyLimit?: string;
  /**
   * When set, only requests signed by the gateway with this HMAC secret are accepted (401
   * otherwise): `x-gateway-signature` = hex HMAC-SHA256(secret, `${x-gateway-timestamp}.${x-gateway-claims}`),
   * timestamp within 5 minutes. See lib/graphql/gatewaySignature.ts.
   */
  gatewaySecret?: string;
  /** Served on `/metrics`. @default a new registry with default process metrics */
  metrics?: Registry;
  /** Registries of the role's own metrics, merged into the default one. */
  extraMetrics?: Registry[];
  /**
   * Honour `Idempotency-Key` (forwarded by the gateway for mutations): records live in this
   * connection's database (the subgraph's own), see {@link useIdempotency}. Off when absent.
   */
  idempotency?: SubgraphIdempotencyOptions;
  /**
   * Mounts the role's own HTTP routes (e.g. inbound webhooks) before `/graphql`: they get
   * neither the gateway signature check nor the JSON body parser, and their errors still end
   * in the JSON error handler.
   */
  routes?: (app: express.Express) => void;
}

/** Options of a subgraph's idempotency records: the store's and the plugin's. */
export type SubgraphIdempotencyOptions = IdempotencyStoreOptions &
  Omit<UseIdempotencyOptions, 'store'>;

/** A subgraph serving `/graphql` plus health, readiness and metrics. */
export interface RunningSubgraph {
  url: string;
  graphqlUrl: string;
  stop(): Promise<void>;
}

/** Refuses requests without a valid, fresh gateway signature (see `gatewaySecret`). */
function requireGatewaySignature(secret: string): express.RequestHandler {
  return (req, res, next) => {
    if (isSignedByGateway(secret, (name) => req.header(name))) {
      next();
      return;
    }
    res.status(401).json({
      errors: [
        { message: 'request not signed by the gateway', extensions: { code: 'UNAUTHENTICATED' } },
      ],
    });
  };
}

/** Process metrics plus the process-wide event metrics (produced, outbox backlog, …) of this role. */
function defaultSubgraphMetrics(role: string, extra: Registry[] = []): Registry {
  const own = new Registry();
  collectDefaultMetrics({ register: own, labels: { role } });
  return Registry.merge([own, eventMetrics().registry, ...extra]);
}

/** Starts an Apollo Federation 2 subgraph over express with graceful shutdown. */
export async function startSubgraphServer<C extends BaseContext>(
  options: SubgraphServerOptions<C>,
): Promise<RunningSubgraph> {
  const { name, logger } = options;
  const { app } = createHttpApp({
    role: name,
    readiness: options.readiness,
    degradable: options.degradable,
    metrics: options.metrics ?? defaultSubgraphMetrics(name, options.extraMetrics),
  });
  const httpServer = createServer(app);
  // The per-request logger below already binds the correlation id: keep it out of the mixin.
  const tracing = createGraphQLTracing({ name, logCorrelationId: false });
  const idempotencyStore = options.idempotency && createIdempotencyStore(options.idempotency);
  await idempotencyStore?.start();
  const apollo = new ApolloServer<C>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers }]),
    // Shutdown is the caller's (runMain): Apollo's own SIGTERM handler would stop the server
    // concurrently and re-send SIGTERM to the process when done (see gateway/src/startGateway.ts).
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      tracing.plugin,
      ...(idempotencyStore
        ? [useIdempotency({ ...options.idempotency, store: idempotencyStore })]
        : []),
    ],
    logger,
  });
  await apollo.start();
  options.routes?.(app);
  app.use(
    '/graphql',
    ...(options.gatewaySecret ? [requireGatewaySignature(options.gatewaySecret)] : []),
    express.json({ limit: options.bodyLimit ?? '1mb' }),
    // A span per operation, child of the gateway's traceparent; events created inside carry it.
    tracing.middleware,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const correlationId = req.header('x-correlation-id') ?? randomUUID();
        return options.createContext({ correlationId, logger: logger.child({ correlationId }) });
      },
    }),
  );
  // Malformed JSON, unknown paths, anything thrown: GraphQL JSON, never Express' HTML page.
  app.use(notFoundAsJson, createJsonErrorHandler(logger));
  const url = await listen(httpServer, options.port, options.host);
  logger.info({ url: `${url}/graphql` }, `${name} subgraph ready`);
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    async stop() {
      await apollo.stop();
      await closeServer(httpServer);
      await idempotencyStore?.stop();
    },
  };
}
