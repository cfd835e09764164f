import type { IncomingMessage, Server } from 'node:http';
import {
  getOperationAST,
  type DocumentNode,
  type OperationTypeNode,
  type GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { graphqlError } from '../../../lib/graphql';
import type { Logger } from '../../../lib/logging';
import { operationResolutionError } from '../plugins/useOperationResolution';
import {
  authenticationRequired,
  type ProtectedOperation,
} from '../plugins/useRequireAuthentication';
import { exceededLimit, type OperationLimits } from '../plugins/useOperationLimits';
import { SubscriptionCloseCode } from './closeCodes';
import { createDocumentCache } from './documentCache';
import { createSocketWriter } from './socketWriter';
import { toSocketErrors } from './socketErrors';
import type {
  PreparedSubscription,
  SubscriberIdentity,
  SubscriptionManager,
} from './subscriptionManager';

/**
 * Verifies `connection_init` params (and the upgrade request): null = anonymous (no token);
 * throws when a token is present but invalid (the socket is then closed 4401).
 */
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
  /**
   * Operation types refused without a verified identity, as over HTTP: the socket is accepted
   * and each such operation gets an `UNAUTHENTICATED` error. @default []
   */
  requireAuthFor?: readonly ProtectedOperation[];
  /**
   * Counts each operation sent over a socket against its client's rate limit (subscriptions,
   * queries and mutations alike); a returned error refuses it with an `error` frame.
   */
  admit?(
    operation: OperationTypeNode,
    identity: SubscriberIdentity,
    request: IncomingMessage,
  ): Promise<GraphQLError | null>;
  /** Largest message accepted; a larger one closes the socket 1009 (Message Too Big). */
  maxPayloadBytes: number;
  /** Time a socket has to send `connection_init` (then 4408). @default 30000 */
  connectionInitWaitTimeoutMs?: number;
  /** Production: no "Did you mean …" in validation errors. */
  isProduction: boolean;
  /** Depth, alias and cost limits of subscription operations (the HTTP ones). */
  limits?: OperationLimits;
  /**
   * Bytes of subscription results waiting in the gateway for one client's socket (its kernel
   * buffers full) past which the client is closed 4290 as too slow. @default 1048576
   */
  maxBufferedBytesPerClient?: number;
  logger: Logger;
}

interface OperationContext {
  identity: SubscriberIdentity;
  socket: WebSocket;
  /** The graphql-ws operation id (the `id` of its frames). */
  operationId: string;
  prepared?: PreparedSubscription;
}

const ANONYMOUS: SubscriberIdentity = { principal: 'anonymous' };

/** A graphql-ws server on the gateway's HTTP server. */
export interface SubscriptionServer {
  readonly clients: number;
  /** Closes every socket with 1001 (going away) and stops accepting. */
  close(): Promise<void>;
}

/**
 * Serves graphql-ws (`graphql-transport-ws`) on the same HTTP server and path as HTTP GraphQL:
 * subscriptions come from the {@link SubscriptionManager}'s shared feeds, queries and mutations run
 * through the gateway's executor like HTTP ones.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { manager, logger } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path ?? '/graphql',
    maxPayload: options.maxPayloadBytes,
  });
  const requireAuthFor = options.requireAuthFor ?? [];
  const identities = new WeakMap<object, SubscriberIdentity>();
  const documents = createDocumentCache();
  const cleanup = useServer<Record<string, unknown> | undefined, { identity?: SubscriberIdentity }>(
    {
      isProd: options.isProduction,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 30_000,
      onConnect: async (ctx) => {
        let identity: SubscriberIdentity | null;
        try {
          identity = options.authenticate
            ? await options.authenticate(ctx.connectionParams, ctx.extra.request)
            : null;
        } catch {
          // A present but invalid token is refused (HTTP: 401), never taken as anonymous.
          ctx.extra.socket.close(4401, 'Unauthorized');
          return false;
        }
        // Anonymous sockets are accepted: REQUIRE_AUTH is checked per operation (onSubscribe).
        identities.set(ctx, identity ?? ANONYMOUS);
        return true;
      },
      onSubscribe: async (ctx, operationId, payload) => {
        const schema = options.getSchema();
        if (!schema) return [graphqlError('INTERNAL_SERVER_ERROR', 'supergraph not loaded yet')];
        const parsed = documents.get(schema, payload.query);
        const refuse = (errors: readonly GraphQLError[]) =>
          toSocketErrors(errors, { hideSuggestions: options.isProduction });
        if ('errors' in parsed) return refuse(parsed.errors);
        const { document } = parsed;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return refuse([operationResolutionError(document, payload.operationName)]);
        const identity = identities.get(ctx) ?? ANONYMOUS;
        if (requireAuthFor.includes(operation.operation) && !identity.claims)
          return refuse([authenticationRequired(operation.operation)]);
        const refused = await options.admit?.(operation.operation, identity, ctx.extra.request);
        if (refused) return refuse([refused]);
        const context: OperationContext = { identity, socket: ctx.extra.socket, operationId };
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? {},
          contextValue: context,
        };
        if (operation.operation === 'subscription') {
          // Queries and mutations meet the limits in Apollo Server; subscriptions here, before a
          // feed runs queries built from them.
          const exceeded = exceededLimit(
            operation,
            document,
            payload.variables ?? {},
            options.limits,
          );
          if (exceeded) return refuse([exceeded]);
          const prepared = await manager.prepare(args, context.identity);
          if (Array.isArray(prepared)) return prepared;
          context.prepared = prepared as PreparedSubscription;
        }
        return args;
      },
      // Results reach the socket as they are: the gateway's are already formatted JSON (masked,
      // with `extensions.code`), not GraphQLError instances graphql-ws would call toJSON() on.
      onNext: (_ctx, _id, _payload, _args, result) => result as never,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => error.toJSON()) as never,
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        const prepared = context.prepared;
        if (!prepared) return { errors: [graphqlError('BAD_USER_INPUT', 'not a subscription')] };
        return manager.subscribe(
          prepared,
          () => {
            logger.warn({ field: prepared.field }, 'slow subscriber closed');
            context.socket.close(SubscriptionCloseCode.SlowConsumer, 'Subscriber too slow');
          },
          createSocketWriter(
            context.socket,
            context.operationId,
            options.maxBufferedBytesPerClient ?? 1024 * 1024,
          ),
        );
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
  // graphql-ws prints every socket error (an oversized message, a reset) with console.error and a
  // stack, which a client could repeat at will; ws has already closed the socket with its code
  // (1009 for an oversized message), so the error is logged at debug instead.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error) =>
      logger.debug({ err: error }, 'websocket closed on a socket error'),
    );
  });
  return {
    get clients() {
      return wss.clients.size;
    },
    async close() {
      manager.close();
      for (const socket of wss.clients) socket.close(SubscriptionCloseCode.GoingAway, 'Going away');
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
