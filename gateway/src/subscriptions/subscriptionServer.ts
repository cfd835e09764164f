import type { IncomingMessage, Server } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { graphqlError } from '../../../lib/graphql';
import type { Logger } from '../../../lib/logging';
import { SubscriptionCloseCode } from './closeCodes';
import type {
  PreparedSubscription,
  SubscriberIdentity,
  SubscriptionManager,
} from './subscriptionManager';

/** Verifies `connection_init` params (and the upgrade request); null = not authenticated. */
export type AuthenticateConnection = (
  connectionParams: Record<string, unknown> | undefined,
  request: IncomingMessage,
) => Promise<SubscriberIdentity | null>;

/** Options of {@link createSubscriptionServer}. */
export interface SubscriptionServerOptions {
  httpServer: Server;
  /** @default '/graphql' */
  path?: string;
  /** The current API schema (changes on supergraph reload). */
  getSchema(): GraphQLSchema | undefined;
  manager: SubscriptionManager;
  /** Runs queries and mutations sent over the socket through the gateway. */
  executeOperation(
    document: DocumentNode,
    variables: Record<string, unknown>,
    operationName: string | undefined,
    identity: SubscriberIdentity,
  ): Promise<ExecutionResult>;
  authenticate?: AuthenticateConnection;
  /** Refuse `connection_init` without a verified identity (close 4401). */
  requireAuthentication?: boolean;
  isProduction: boolean;
  logger: Logger;
}

interface OperationContext {
  identity: SubscriberIdentity;
  socket: WebSocket;
  prepared?: PreparedSubscription;
}

const ANONYMOUS: SubscriberIdentity = { principal: 'anonymous' };

/** A graphql-ws server on the gateway's HTTP server. */
export interface SubscriptionServer {
  readonly clients: number;
  /** Closes every socket with 1012 (service restart) and stops accepting. */
  close(): Promise<void>;
}

/**
 * Serves graphql-ws (`graphql-transport-ws`) on the same HTTP server and path as HTTP GraphQL:
 * subscriptions come from the {@link SubscriptionManager}'s shared feeds, queries and mutations run
 * through the gateway's executor like HTTP ones.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { manager, logger } = options;
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path ?? '/graphql' });
  const identities = new WeakMap<object, SubscriberIdentity>();
  const cleanup = useServer<Record<string, unknown> | undefined, { identity?: SubscriberIdentity }>(
    {
      isProd: options.isProduction,
      onConnect: async (ctx) => {
        const identity = options.authenticate
          ? await options.authenticate(ctx.connectionParams, ctx.extra.request)
          : null;
        if (!identity && options.requireAuthentication) {
          ctx.extra.socket.close(4401, 'Unauthorized');
          return false;
        }
        identities.set(ctx, identity ?? ANONYMOUS);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const schema = options.getSchema();
        if (!schema) return [graphqlError('INTERNAL_SERVER_ERROR', 'supergraph not loaded yet')];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return [graphqlError('BAD_USER_INPUT', 'operation not found in the document')];
        const context: OperationContext = {
          identity: identities.get(ctx) ?? ANONYMOUS,
          socket: ctx.extra.socket,
        };
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? {},
          contextValue: context,
        };
        if (operation.operation === 'subscription') {
          const prepared = await manager.prepare(args, context.identity);
          if (Array.isArray(prepared)) return prepared;
          context.prepared = prepared as PreparedSubscription;
        }
        return args;
      },
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        const prepared = context.prepared;
        if (!prepared) return { errors: [graphqlError('BAD_USER_INPUT', 'not a subscription')] };
        return manager.subscribe(prepared, () => {
          logger.warn({ field: prepared.field }, 'slow subscriber closed');
          context.socket.close(SubscriptionCloseCode.SlowConsumer, 'Subscriber too slow');
        });
      },
      execute: (args) => {
        const context = args.contextValue as OperationContext;
        return options.executeOperation(
          args.document,
          (args.variableValues ?? {}) as Record<string, unknown>,
          args.operationName ?? undefined,
          context.identity,
        );
      },
    },
    wss,
  );
  return {
    get clients() {
      return wss.clients.size;
    },
    async close() {
      manager.close();
      for (const socket of wss.clients)
        socket.close(SubscriptionCloseCode.ServiceRestart, 'Service restart');
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
