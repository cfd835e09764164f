import type { ExecutionResult } from 'graphql';
import type { Logger } from '../../../lib/logging';
import type { EventSource } from './eventSource';
import { graphqlError } from '../../../lib/graphql';
import { liveEventsUnavailable } from './liveEvents';
import { toFeedEvent, type FeedEvent, type SubscriptionFieldConfig } from './fieldConfig';
import type { StreamSnapshot } from './snapshotLoader';

/** A subscriber of a feed (its bounded queue). */
export interface FeedClient {
  push(result: ExecutionResult): void;
  complete(): void;
}

/** Options of {@link createSubscriptionFeed}. */
export interface SubscriptionFeedOptions {
  config: SubscriptionFieldConfig;
  /** Coerced arguments of the subscription field. */
  args: Record<string, unknown>;
  topic: string;
  source: EventSource;
  /** Resolves the subscription's selection for one stored event (through the query planner). */
  execute(eventId: string): Promise<ExecutionResult>;
  /** Stored events of the stream after a cursor (all pages), oldest first. */
  loadHistory?(after: string | undefined): Promise<FeedEvent[]>;
  /** The stream's current state (first message without a cursor); undefined = no such stream. */
  loadSnapshot?(): Promise<StreamSnapshot | undefined>;
  /** Current states of every stream watched (first messages of a many-stream subscription). */
  loadInitialStates?(): Promise<StreamSnapshot[]>;
  logger: Logger;
  /** Called once when the feed ends (terminal event, error, source lost, or no clients left). */
  onEnd(): void;
  /**
   * Results kept so that a client joining a running feed receives the same stream from the
   * start; past this many, the feed stops accepting joiners. @default 1000
   */
  retainLimit?: number;
}

/** One upstream feed shared by identical subscriptions. */
export interface SubscriptionFeed {
  /** Whether a new client can still join and receive the full stream. */
  readonly joinable: boolean;
  join(client: FeedClient): void;
  leave(client: FeedClient): void;
}

/**
 * Creates a feed: listens to live events first (buffered), then sends the snapshot (the stream's
 * current state with the sequence it reflects) or replays the stored events after the client's
 * cursor, then flushes the buffer and goes live. Deliveries run one at a time, so per-stream order holds; events at or below
 * the last delivered sequence are dropped (no duplicate) and a jump in sequence is filled from the
 * store (no gap). A terminal event completes every client. When the source stops being ready
 * (live events no longer flow), every client gets a `SERVICE_UNAVAILABLE` error and completes,
 * rather than waiting silently: it resumes with its last cursor once the gateway is ready again.
 * A feed created while the source is not ready ends at once with that error.
 */
export function createSubscriptionFeed(options: SubscriptionFeedOptions): SubscriptionFeed {
  const { config, args, logger, retainLimit = 1000 } = options;
  const clients = new Set<FeedClient>();
  const retained: ExecutionResult[] = [];
  const lastSequence = new Map<string, number>();
  const lastCursor = new Map<string, string>();
  const pending: FeedEvent[] = [];
  let replayed = false;
  let ended = false;
  let retaining = true;
  /** Why the feed ended, for clients that join after (the source was not ready). */
  let failure: ExecutionResult | undefined;
  let chain: Promise<void> = Promise.resolve();

  const end = () => {
    if (ended) return;
    ended = true;
    stopListening();
    stopWatchingReady();
    for (const client of clients) client.complete();
    clients.clear();
    options.onEnd();
  };

  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work).catch((error: unknown) => {
      logger.error({ err: error }, 'subscription feed failed');
      const failure = { errors: [{ message: 'subscription feed failed' }] } as never;
      for (const client of clients) client.push(failure);
      end();
    });
  };

  const send = (
    output: ExecutionResult,
    position: Pick<FeedEvent, 'stream' | 'sequence' | 'cursor' | 'terminal'>,
  ) => {
    lastSequence.set(position.stream, position.sequence);
    lastCursor.set(position.stream, position.cursor);
    if (retaining && retained.length < retainLimit) retained.push(output);
    else retaining = false;
    for (const client of clients) client.push(output);
    if (position.terminal && config.history) end();
  };

  const deliver = async (event: FeedEvent) => {
    if (ended) return;
    const result = await options.execute(event.id);
    if (!ended) send(result, event);
  };

  /** Sends the current state; a missing stream ends the feed with NOT_FOUND. */
  const deliverSnapshot = async (loadSnapshot: () => Promise<StreamSnapshot | undefined>) => {
    const snapshot = await loadSnapshot();
    if (ended) return;
    if (!snapshot) {
      const argument = config.history?.streamArgument ?? 'stream';
      const message = `${argument} ${String(args[argument])} does not exist`;
      const missing = { errors: [graphqlError('NOT_FOUND', message)] };
      for (const client of clients) client.push(missing);
      end();
      return;
    }
    send(snapshot.result, snapshot);
  };

  const handleLive = async (event: FeedEvent) => {
    if (ended) return;
    const last = lastSequence.get(event.stream) ?? 0;
    if (event.sequence <= last) return;
    if (options.loadHistory && event.sequence > last + 1) {
      const missing = await options.loadHistory(lastCursor.get(event.stream));
      for (const stored of missing) {
        if (
          stored.sequence > (lastSequence.get(event.stream) ?? 0) &&
          stored.sequence < event.sequence
        ) {
          await deliver(stored);
        }
      }
    }
    if (event.sequence > (lastSequence.get(event.stream) ?? 0)) await deliver(event);
  };

  const stopListening = options.source.listen(options.topic, (cloudEvent) => {
    const event = toFeedEvent(config, cloudEvent);
    if (!event || ended || !config.matches(args, event.data)) return;
    if (!replayed) pending.push(event);
    else enqueue(() => handleLive(event));
  });

  /** Ends every client with SERVICE_UNAVAILABLE (and any client that joins later). */
  const failUnavailable = () => {
    if (ended) return;
    logger.debug({ clients: clients.size }, 'event source not ready: subscription feed ended');
    failure = liveEventsUnavailable();
    for (const client of clients) client.push(failure);
    end();
  };
  const stopWatchingReady = options.source.onReadyChange((ready) => {
    if (!ready) failUnavailable();
  });

  /** Snapshot, initial states or stored events first; then the buffered live events. */
  const replay = async () => {
    if (options.loadHistory && config.history) {
      const after = args[config.history.afterArgument];
      const resumeFrom = typeof after === 'string' ? after : undefined;
      if (resumeFrom === undefined && options.loadSnapshot) {
        await deliverSnapshot(options.loadSnapshot);
      } else {
        // With a cursor, or without a snapshot field in the supergraph: the stored events after it.
        for (const event of await options.loadHistory(resumeFrom)) await deliver(event);
      }
    } else if (options.loadInitialStates) {
      const states = await options.loadInitialStates();
      for (const state of states) if (!ended) send(state.result, state);
    }
    replayed = true;
    for (const event of pending.splice(0)) await handleLive(event);
  };

  if (options.source.ready) enqueue(replay);
  // Not ready: live events would be missed between the snapshot and the join. Ends after the
  // creator's first join (a microtask), so that `onEnd` never runs inside this call.
  else queueMicrotask(failUnavailable);

  return {
    get joinable() {
      return !ended && retaining;
    },
    join(client) {
      if (ended) {
        if (failure) client.push(failure);
        client.complete();
        return;
      }
      for (const result of retained) client.push(result);
      clients.add(client);
    },
    leave(client) {
      clients.delete(client);
      if (clients.size === 0) end();
    },
  };
}
