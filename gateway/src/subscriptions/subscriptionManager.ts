import {
  getArgumentValues,
  getVariableValues,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
} from 'graphql';
import { graphqlError } from '../../../lib/graphql';
import type { Logger } from '../../../lib/logging';
import type { TopicNames } from '../../../lib/kafka';
import type { EventSource } from './eventSource';
import type { SubscriptionFieldConfig } from './fieldConfig';
import { createClientQueue, type ResultWriter } from './clientQueue';
import {
  createSubscriptionCompiler,
  STREAM_ALIAS,
  type CompiledSubscription,
} from './compileSubscription';
import { createEventRouter } from './eventRouter';
import { createHistoryLoader, type ExecuteDocument } from './historyLoader';
import { liveEventsUnavailable, whenReady } from './liveEvents';
import { createSnapshotListLoader, createSnapshotLoader } from './snapshotLoader';
import { createSubscriptionFeed, type FeedClient, type SubscriptionFeed } from './subscriptionFeed';
import { EVENT_ID_VARIABLE } from './toEventQuery';

/** Who subscribes: the verified identity (if any) used for authorization and feed sharing. */
export interface SubscriberIdentity {
  /** Stable key of the principal; feeds are shared only between equal keys. */
  principal: string;
  claims?: Record<string, unknown>;
}

/** Per-resource authorization (e.g. may this user watch this run?). */
export type AuthorizeSubscription = (input: {
  field: string;
  resourceId: string | undefined;
  args: Record<string, unknown>;
  identity: SubscriberIdentity;
}) => Promise<boolean> | boolean;

/** A validated subscription ready to join a feed. */
export interface PreparedSubscription {
  key: string;
  field: string;
  config: SubscriptionFieldConfig;
  args: Record<string, unknown>;
  /** The operation's rewritten queries (shared by every client of the same document). */
  compiled: CompiledSubscription;
  variables: Record<string, unknown>;
  identity: SubscriberIdentity;
}

/** Options of {@link createSubscriptionManager}. */
export interface SubscriptionManagerOptions {
  fields: Record<string, SubscriptionFieldConfig>;
  topics: TopicNames;
  source: EventSource;
  /** Executes a query through the gateway on behalf of an identity. */
  execute(
    document: Parameters<ExecuteDocument>[0],
    variables: Record<string, unknown>,
    identity: SubscriberIdentity,
  ): Promise<ExecutionResult>;
  authorize?: AuthorizeSubscription;
  logger: Logger;
  /**
   * Results buffered per client before it is closed as too slow. A feed stays joinable while it
   * has sent at most half of this, so a late joiner is handed the whole stream with room to
   * spare. @default 100
   */
  maxBufferedPerClient?: number;
  /** Reports the number of active client subscriptions (metrics). */
  onActiveChange?(active: number): void;
  /**
   * How long a new subscription waits for the event source to become ready (e.g. at start-up,
   * while the Kafka consumer joins) before it is answered `SERVICE_UNAVAILABLE`. @default 10000
   */
  readyWaitMs?: number;
  /** How long a feed outlives a source that stopped being ready (see the feed). @default 5000 */
  unavailableGraceMs?: number;
}

/** Prepares and serves federated subscriptions from shared feeds. */
export interface SubscriptionManager {
  /** Checks the operation (field served, arguments, authorization); errors go to the client. */
  prepare(
    args: ExecutionArgs,
    identity: SubscriberIdentity,
  ): Promise<PreparedSubscription | GraphQLError[]>;
  /**
   * Joins (or starts) the feed of identical subscriptions with a bounded client queue. While the
   * event source is not ready, waits for it (up to `readyWaitMs`), then answers one
   * `SERVICE_UNAVAILABLE` error and completes. With a `writer`, results go straight to the
   * client's connection and the returned iterator only ends.
   */
  subscribe(
    prepared: PreparedSubscription,
    onOverflow: () => void,
    writer?: ResultWriter,
  ): AsyncIterableIterator<ExecutionResult>;
  readonly activeSubscriptions: number;
  readonly activeFeeds: number;
  /** Completes every subscription (shutdown). */
  close(): void;
}

/** Creates the subscription manager that turns subscription operations into shared event feeds. */
export function createSubscriptionManager(
  options: SubscriptionManagerOptions,
): SubscriptionManager {
  const { fields, logger } = options;
  const clientBuffer = options.maxBufferedPerClient ?? 100;
  const router = createEventRouter(options.source, options.topics, fields);
  const compileSubscription = createSubscriptionCompiler(fields);
  const feeds = new Map<string, SubscriptionFeed>();
  const closers = new Set<() => void>();
  let active = 0;
  const setActive = (delta: number) => {
    active += delta;
    options.onActiveChange?.(active);
  };

  /** A new feed for the prepared subscription, registered under its key until it ends. */
  const createFeed = (prepared: PreparedSubscription): SubscriptionFeed => {
    const { key, config, args, identity, compiled, variables } = prepared;
    const stream = config.history ? args[config.history.streamArgument] : undefined;
    const streamId = typeof stream === 'string' ? stream : undefined;
    const execute: ExecuteDocument = (document, vars) => options.execute(document, vars, identity);
    const feed: SubscriptionFeed = createSubscriptionFeed({
      config,
      args,
      listen: (listener) => router.listen(prepared.field, streamId, listener),
      source: options.source,
      logger: logger.child({ field: prepared.field }),
      retainLimit: Math.max(1, Math.floor(clientBuffer / 2)),
      ...(options.unavailableGraceMs !== undefined && {
        unavailableGraceMs: options.unavailableGraceMs,
      }),
      execute: (eventId) =>
        execute(compiled.eventQuery.document, { ...variables, [EVENT_ID_VARIABLE]: eventId }),
      ...(config.history &&
        compiled.historyQuery &&
        streamId !== undefined && {
          loadHistory: createHistoryLoader({
            document: compiled.historyQuery.document,
            variables,
            stream: streamId,
            responseKey: compiled.historyQuery.responseKey,
            // A page must fit in a client's buffer: replays are paced by it.
            pageSize: Math.min(config.history.pageSize ?? 100, clientBuffer),
            terminalKind: config.terminalKind,
            execute,
          }),
        }),
      ...(config.snapshot &&
        compiled.snapshotQuery &&
        streamId !== undefined && {
          loadSnapshot: createSnapshotLoader({
            document: compiled.snapshotQuery.document,
            variables: { ...variables, [EVENT_ID_VARIABLE]: streamId },
            stream: streamId,
            responseKey: compiled.snapshotQuery.responseKey,
            terminalStatuses: config.snapshot.terminalStatuses,
            execute,
          }),
        }),
      ...(compiled.initialStatesQuery && {
        loadInitialStates: createSnapshotListLoader({
          document: compiled.initialStatesQuery.document,
          variables,
          responseKey: compiled.initialStatesQuery.responseKey,
          streamAlias: STREAM_ALIAS,
          execute,
        }),
      }),
      onEnd: () => {
        if (feeds.get(key) === feed) feeds.delete(key);
      },
    });
    feeds.set(key, feed);
    return feed;
  };

  /** The joinable feed of identical subscriptions, created if there is none. */
  const feedFor = (prepared: PreparedSubscription): SubscriptionFeed => {
    const feed = feeds.get(prepared.key);
    return feed?.joinable ? feed : createFeed(prepared);
  };

  return {
    get activeSubscriptions() {
      return active;
    },
    get activeFeeds() {
      return feeds.size;
    },
    async prepare(args, identity) {
      const compiled = compileSubscription(args.schema, args.document, args.operationName);
      if (Array.isArray(compiled)) return compiled;
      const { field, config, fieldDefinition, operation } = compiled;
      const coerced = getVariableValues(
        args.schema,
        operation.variableDefinitions ?? [],
        args.variableValues ?? {},
      );
      if (coerced.errors) {
        return coerced.errors.map((error) => graphqlError('BAD_USER_INPUT', error.message));
      }
      let fieldArgs: Record<string, unknown>;
      try {
        fieldArgs = getArgumentValues(
          fieldDefinition,
          compiled.eventQuery.rootField,
          coerced.coerced,
        );
      } catch (error) {
        return [graphqlError('BAD_USER_INPUT', (error as Error).message)];
      }
      const resourceId = config.resourceId?.(fieldArgs);
      if (
        options.authorize &&
        !(await options.authorize({ field, resourceId, args: fieldArgs, identity }))
      ) {
        return [
          graphqlError(
            'FORBIDDEN',
            `not allowed to subscribe to ${field}${resourceId ? ` of ${resourceId}` : ''}`,
          ),
        ];
      }
      return {
        key: JSON.stringify([compiled.printed, coerced.coerced, identity.principal]),
        field,
        config,
        args: fieldArgs,
        compiled,
        variables: coerced.coerced,
        identity,
      };
    },
    subscribe(prepared, onOverflow, writer) {
      setActive(1);
      let counted = true;
      let joined: SubscriptionFeed | undefined;
      let cancelWait: (() => void) | undefined;
      const release = () => {
        if (!counted) return;
        counted = false;
        setActive(-1);
        closers.delete(closeClient);
      };
      const leave = () => {
        cancelWait?.();
        cancelWait = undefined;
        joined?.leave(client);
      };
      const queue = createClientQueue({
        limit: clientBuffer,
        ...(writer && { writer }),
        onOverflow: () => {
          leave();
          release();
          onOverflow();
        },
        onReturn: () => {
          leave();
          release();
        },
      });
      const client: FeedClient = {
        push: (result) => queue.push(result),
        complete: () => {
          queue.complete();
          release();
        },
        waitForRoom: (count) => queue.waitForRoom(count),
      };
      const closeClient = () => {
        leave();
        client.complete();
      };
      closers.add(closeClient);
      const join = () => {
        joined = feedFor(prepared);
        joined.join(client);
      };
      if (options.source.ready) join();
      else {
        cancelWait = whenReady(options.source, options.readyWaitMs ?? 10_000, (ready) => {
          cancelWait = undefined;
          if (ready) join();
          else {
            client.push(liveEventsUnavailable());
            client.complete();
          }
        });
      }
      return queue;
    },
    close() {
      for (const closeClient of [...closers]) closeClient();
    },
  };
}
