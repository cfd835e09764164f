import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  print,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
} from 'graphql';
import { graphqlError } from '../../../lib/graphql';
import type { Logger } from '../../../lib/logging';
import type { TopicNames } from '../../../lib/kafka';
import type { EventSource } from './eventSource';
import type { SubscriptionFieldConfig } from './fieldConfig';
import { createHistoryLoader, type ExecuteDocument } from './historyLoader';
import { createClientQueue } from './clientQueue';
import { liveEventsUnavailable, whenReady } from './liveEvents';
import {
  createSnapshotListLoader,
  createSnapshotLoader,
  SNAPSHOT_HIDDEN_FIELDS,
} from './snapshotLoader';

/** Hidden alias naming the stream of each initial state. */
const STREAM_ALIAS = '__feedStream';
import { createSubscriptionFeed, type FeedClient, type SubscriptionFeed } from './subscriptionFeed';
import { EVENT_ID_VARIABLE, EventQueryError, toEventQuery, type EventQuery } from './toEventQuery';

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
  eventQuery: EventQuery;
  /** The subscription rewritten onto the snapshot field (fields with a snapshot only). */
  snapshotQuery?: EventQuery;
  /** The subscription rewritten onto the initial-states field (many-stream fields only). */
  initialStatesQuery?: EventQuery;
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
  /** Results buffered per client before it is closed as too slow. @default 100 */
  maxBufferedPerClient?: number;
  /** Reports the number of active client subscriptions (metrics). */
  onActiveChange?(active: number): void;
  /**
   * How long a new subscription waits for the event source to become ready (e.g. at start-up,
   * while the Kafka consumer joins) before it is answered `SERVICE_UNAVAILABLE`. @default 10000
   */
  readyWaitMs?: number;
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
   * `SERVICE_UNAVAILABLE` error and completes.
   */
  subscribe(
    prepared: PreparedSubscription,
    onOverflow: () => void,
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
  const feeds = new Map<string, SubscriptionFeed>();
  const closers = new Set<() => void>();
  let active = 0;
  const setActive = (delta: number) => {
    active += delta;
    options.onActiveChange?.(active);
  };

  /** The joinable feed of identical subscriptions, created if there is none. */
  const feedFor = (prepared: PreparedSubscription): SubscriptionFeed => {
    let feed = feeds.get(prepared.key);
    if (!feed || !feed.joinable) {
      const key = prepared.key;
      const { config, args, identity } = prepared;
      const stream = config.history ? args[config.history.streamArgument] : undefined;
      const execute: ExecuteDocument = (document, variables) =>
        options.execute(document, variables, identity);
      const created: SubscriptionFeed = createSubscriptionFeed({
        config,
        args,
        topic: options.topics.events(config.topic),
        source: options.source,
        logger: logger.child({ field: prepared.field }),
        execute: (eventId) =>
          execute(prepared.eventQuery.document, {
            ...prepared.variables,
            [EVENT_ID_VARIABLE]: eventId,
          }),
        ...(config.history &&
          typeof stream === 'string' && {
            loadHistory: createHistoryLoader(config.history, stream, config.terminalKind, execute),
          }),
        ...(config.snapshot &&
          prepared.snapshotQuery &&
          typeof stream === 'string' && {
            loadSnapshot: createSnapshotLoader({
              document: prepared.snapshotQuery.document,
              variables: { ...prepared.variables, [EVENT_ID_VARIABLE]: stream },
              stream,
              responseKey: prepared.snapshotQuery.responseKey,
              terminalStatuses: config.snapshot.terminalStatuses,
              execute,
            }),
          }),
        ...(prepared.initialStatesQuery && {
          loadInitialStates: createSnapshotListLoader({
            document: prepared.initialStatesQuery.document,
            variables: prepared.variables,
            responseKey: prepared.initialStatesQuery.responseKey,
            streamAlias: STREAM_ALIAS,
            execute,
          }),
        }),
        onEnd: () => {
          if (feeds.get(key) === created) feeds.delete(key);
        },
      });
      feed = created;
      feeds.set(key, created);
    }
    return feed;
  };

  return {
    get activeSubscriptions() {
      return active;
    },
    get activeFeeds() {
      return feeds.size;
    },
    async prepare(args, identity) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation)
        return [graphqlError('BAD_USER_INPUT', 'operation not found in the document')];
      const root = operation.selectionSet.selections[0];
      const field = root?.kind === 'Field' ? root.name.value : undefined;
      const config = field === undefined ? undefined : fields[field];
      const fieldDef =
        field === undefined ? undefined : args.schema.getSubscriptionType()?.getFields()[field];
      if (!field || !config || !fieldDef) {
        return [
          graphqlError(
            'BAD_USER_INPUT',
            `subscription field ${field ?? '(none)'} is not served by this gateway`,
          ),
        ];
      }
      let eventQuery: EventQuery;
      let snapshotQuery: EventQuery | undefined;
      let initialStatesQuery: EventQuery | undefined;
      try {
        eventQuery = toEventQuery(
          operation,
          args.document,
          config.eventQueryField,
          config.eventIdArgument,
        );
        // Only what the current supergraph serves: another one may lack the snapshot fields.
        const queryFields = args.schema.getQueryType()?.getFields() ?? {};
        if (config.snapshot && config.history && queryFields[config.snapshot.field]) {
          snapshotQuery = toEventQuery(
            operation,
            args.document,
            config.snapshot.field,
            config.history.streamArgument,
            SNAPSHOT_HIDDEN_FIELDS,
          );
        }
        if (config.initialStates && queryFields[config.initialStates.field]) {
          initialStatesQuery = toEventQuery(
            operation,
            args.document,
            config.initialStates.field,
            null,
            { ...SNAPSHOT_HIDDEN_FIELDS, [STREAM_ALIAS]: config.initialStates.streamField },
          );
        }
      } catch (error) {
        if (error instanceof EventQueryError)
          return [graphqlError('BAD_USER_INPUT', error.message)];
        throw error;
      }
      const coerced = getVariableValues(
        args.schema,
        operation.variableDefinitions ?? [],
        args.variableValues ?? {},
      );
      if (coerced.errors) return [...coerced.errors];
      const fieldArgs = getArgumentValues(fieldDef, eventQuery.rootField, coerced.coerced);
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
        key: JSON.stringify([print(eventQuery.document), coerced.coerced, identity.principal]),
        field,
        config,
        args: fieldArgs,
        eventQuery,
        ...(snapshotQuery && { snapshotQuery }),
        ...(initialStatesQuery && { initialStatesQuery }),
        variables: coerced.coerced,
        identity,
      };
    },
    subscribe(prepared, onOverflow) {
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
      const client: FeedClient = {
        push: (result) => queue.push(result),
        complete: () => {
          queue.complete();
          release();
        },
      };
      const queue = createClientQueue({
        limit: options.maxBufferedPerClient ?? 100,
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
      const closeClient = () => {
        leave();
        client.complete();
      };
      closers.add(closeClient);
      if (options.source.ready) {
        joined = feedFor(prepared);
        joined.join(client);
      } else {
        cancelWait = whenReady(options.source, options.readyWaitMs ?? 10_000, (ready) => {
          cancelWait = undefined;
          if (ready) {
            joined = feedFor(prepared);
            joined.join(client);
          } else {
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
