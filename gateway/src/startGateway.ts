import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { closeServer, createHttpApp, listen } from '../../lib/http';
import { createLogger, type Logger } from '../../lib/logging';
import type { GatewayOptions } from './config';
import type { GatewayContext } from './context';
import { SubgraphDataSource } from './createDataSource';

/** A running gateway. */
export interface RunningGateway {
  url: string;
  graphqlUrl: string;
  stop(): Promise<void>;
}

/** Starts the federated gateway on `/graphql` over the configured supergraph. */
export async function startGateway(
  options: GatewayOptions,
  logger: Logger = createLogger({ name: 'gateway', level: options.logLevel }),
): Promise<RunningGateway> {
  const supergraphSdl = readFileSync(options.supergraphPath, 'utf8');
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({ url: options.subgraphUrls[name] ?? url }),
  });
  let loaded = false;
  const { app } = createHttpApp({ role: 'gateway', readiness: { supergraph: async () => loaded } });
  const httpServer = createServer(app);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    introspection: options.env !== 'production',
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  loaded = true;
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({
        correlationId: req.header('x-correlation-id') ?? randomUUID(),
      }),
    }),
  );
  const url = await listen(httpServer, options.port, options.host);
  logger.info({ url: `${url}/graphql` }, 'gateway ready');
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    async stop() {
      await apollo.stop();
      await closeServer(httpServer);
    },
  };
}
