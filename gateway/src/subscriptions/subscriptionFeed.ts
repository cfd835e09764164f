import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import { graphqlError } from '../../../lib/graphql';
import type { Logger } from '../../../lib/logging';
import type { EventSource } from './eventSource';
import type { FeedEvent, SubscriptionFieldConfig } from './fieldConfig';
import { HistoryLoadError, type LoadHistory } from './historyLoader';
import { liveEventsUnavailable } from './liveEvents';
import type { StreamSnapshot } from './snapshotLoader';

/** A subscriber of a feed (its bounded queue). */
export interface FeedClient {
  push(result: ExecutionResult): void;
  complete(): void;
  /** Resolves once `count` more results fit in the client's buffer (or the client has gone). */
  waitForRoom(count: number): Promise<void>;
}

/** Registers a listener of the live events of the feed's field (and stream); returns its remover. */
export type ListenToEvents = (listener: (event: FeedEvent) => void) => () => void;

/** Options of {@link createSubscriptionFeed}. */
export interface SubscriptionFeedOptions {
  config: SubscriptionFieldConfig;
  /** Coerced arguments of the subscription field. */
  args: Record<string, unknown>;
  /** The live events that may concern this feed (routed by field and stream). */
  listen: ListenToEvents;
  /** Tells when live events stop flowing. */
  source: Pick<EventSource, 'ready' | 'onReadyChange'>;
  /** Resolves the subscription's selection for one stored event (through the query planner). */
  execute(eventId: string): Promise<ExecutionResult>;
  /** Stored events of the stream after a cursor, a page at a time, with the client's results. */
  loadHistory?: LoadHistory;
  /** The stream's current state (first message without a cursor); undefined = no such stream. */
  loadSnapshot?(): Promise<StreamSnapshot | undefined>;
  /** Current states of every stream watched (first messages of a many-stream subscription). */
  loadInitialStates?(): Promise<StreamSnapshot[]>;
  logger: Logger;
  /** Called once when the feed ends (terminal event, error, source lost, or no clients left). */
  onEnd(): void;
  /**
   * Results kept so that a client joining a running feed receives the same stream from the
   * start; past this many, the feed stops accepting joiners. Sized with the client buffer: what
   * a joiner is handed at once must fit in its buffer.
   */
  retainLimit: number;
  /**
   * How long a replay waits for the clients' buffers to have room for the next page before it
   * sends anyway (a client that still cannot take it is closed as too slow). @default 10000
   */
  replayRoomWaitMs?: number;
  /** Live events resolved ahead of their turn at most at once. @default 16 */
  maxPrefetch?: number;
  /**
   * How long the source may stay not ready before the feed ends with SERVICE_UNAVAILABLE. A
   * member that rejoins within it resumes from its committed position (nothing is missed, gaps
   * are filled from the store), so a short stall of the gateway does not end every feed.
   * @default 5000
   */
  unavailableGraceMs?: number;
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
 * cursor a page at a time (one query per page, paced by the clients' buffers), then flushes the
 * buffer and goes live. Deliveries run one at a time, so per-stream order holds; events at or
 * below the last delivered sequence are dropped (no duplicate) and a jump in sequence is filled
 * from the store (no gap). A terminal event completes every client. When the source stops being
 * ready, every client gets a `SERVICE_UNAVAILABLE` error and completes, rather than waiting
 * silently: it resumes with its last cursor once the gateway is ready again. A feed created while
 * the source is not ready ends at once with that error.
 */
export function createSubscriptionFeed(options: SubscriptionFeedOptions): SubscriptionFeed {
  const { config, args, logger, retainLimit } = options;
  const clients = new Set<FeedClient>();
  let retained: ExecutionResult[] = [];
  let retaining = true;
  const lastSequence = new Map<string, number>();
  const lastCursor = new Map<string, string>();
  const pending: FeedEvent[] = [];
  let replayed = false;
  let ended = false;
  /** Why the feed ended, for clients that join after (the source was not ready). */
  let failure: ExecutionResult | undefined;
  let chain: Promise<void> = Promise.resolve();
  /** Results of live events being resolved ahead of their turn (bounded), sent in order. */
  const prefetched = new WeakMap<FeedEvent, Promise<ExecutionResult>>();
  let prefetching = 0;

  const end = () => {
    if (ended) return;
    ended = true;
    stopListening();
    stopWatchingReady();
    retained = [];
    for (const client of clients) client.complete();
    clients.clear();
    options.onEnd();
  };

  /** Ends every client with `result` (and any client that joins after). */
  const endWith = (result: ExecutionResult) => {
    if (ended) return;
    failure = result;
    for (const client of clients) client.push(result);
    end();
  };

  /** A refusal by the subgraph (bad cursor) is the client's error; anything else is masked. */
  const fail = (error: unknown) => {
    if (error instanceof HistoryLoadError && error.refusal) {
      endWith({ errors: error.refusal as never });
      return;
    }
    const correlationId = randomUUID();
    logger.error({ err: error, correlationId }, 'subscription feed failed');
    endWith({
      errors: [graphqlError('INTERNAL_SERVER_ERROR', 'The subscription failed', { correlationId })],
    });
  };

  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work).catch(fail);
  };

  const send = (
    output: ExecutionResult,
    position: Pick<FeedEvent, 'stream' | 'sequence' | 'cursor' | 'terminal'>,
  ) => {
    lastSequence.set(position.stream, position.sequence);
    lastCursor.set(position.stream, position.cursor);
    if (retaining && retained.length < retainLimit) retained.push(output);
    else if (retaining) {
      retaining = false;
      retained = [];
    }
    for (const client of clients) client.push(output);
    if (position.terminal && config.history) end();
  };

  const deliver = async (event: FeedEvent) => {
    if (ended) return;
    const result = event.result ?? (await (prefetched.get(event) ?? options.execute(event.id)));
    if (!ended) send(result, event);
  };

  /**
   * Starts resolving a live event as soon as it arrives. When the feed falls behind, the events
   * waiting their turn are resolved in parallel, and their results then leave together.
   */
  const prefetch = (event: FeedEvent) => {
    if (prefetching >= (options.maxPrefetch ?? 16)) return;
    if (event.sequence <= (lastSequence.get(event.stream) ?? 0)) return;
    prefetching++;
    const result = options.execute(event.id).finally(() => prefetching--);
    result.catch(() => undefined); // awaited (and reported) by `deliver`, if ever
    prefetched.set(event, result);
  };

  /** Waits (bounded) until every client can take `count` more results. */
  const roomFor = async (count: number) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...clients].map((client) => client.waitForRoom(count))),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.replayRoomWaitMs ?? 10_000);
      }),
    ]);
    clearTimeout(timer);
  };

  /** Sends the stored events after `after` (up to sequence `upTo`), a page at a time. */
  const replayStored = async (
    loadHistory: LoadHistory,
    after: string | undefined,
    upTo = Infinity,
  ) => {
    for await (const page of loadHistory(after)) {
      await roomFor(page.length);
      for (const stored of page) {
        if (ended || stored.sequence > upTo) return;
        if (stored.sequence > (lastSequence.get(stored.stream) ?? 0)) await deliver(stored);
      }
    }
  };

  /** Sends the current state; a missing stream ends the feed with NOT_FOUND. */
  const deliverSnapshot = async (loadSnapshot: () => Promise<StreamSnapshot | undefined>) => {
    const snapshot = await loadSnapshot();
    if (ended) return;
    if (!snapshot) {
      const argument = config.history?.streamArgument ?? 'stream';
      const message = `${argument} ${String(args[argument])} does not exist`;
      endWith({ errors: [graphqlError('NOT_FOUND', message)] });
      return;
    }
    send(snapshot.result, snapshot);
  };

  const handleLive = async (event: FeedEvent) => {
    if (ended) return;
    const last = lastSequence.get(event.stream) ?? 0;
    if (event.sequence <= last) return;
    if (options.loadHistory && event.sequence > last + 1) {
      await replayStored(options.loadHistory, lastCursor.get(event.stream), event.sequence);
    }
    if (event.sequence > (lastSequence.get(event.stream) ?? 0)) await deliver(event);
  };

  const stopListening = options.listen((event) => {
    if (ended || !config.matches(args, event.data)) return;
    prefetch(event);
    if (!replayed) pending.push(event);
    else enqueue(() => handleLive(event));
  });

  let unavailableTimer: NodeJS.Timeout | undefined;
  const stopWatchingSource = options.source.onReadyChange((ready) => {
    clearTimeout(unavailableTimer);
    unavailableTimer = undefined;
    if (ready || ended) return;
    unavailableTimer = setTimeout(() => {
      if (options.source.ready) return;
      logger.debug({ clients: clients.size }, 'event source not ready: subscription feed ended');
      endWith(liveEventsUnavailable());
    }, options.unavailableGraceMs ?? 5_000);
  });
  const stopWatchingReady = () => {
    clearTimeout(unavailableTimer);
    stopWatchingSource();
  };

  /** Snapshot, initial states or stored events first; then the buffered live events. */
  const replay = async () => {
    if (options.loadHistory && config.history) {
      const after = args[config.history.afterArgument];
      const resumeFrom = typeof after === 'string' ? after : undefined;
      if (resumeFrom === undefined && options.loadSnapshot) {
        await deliverSnapshot(options.loadSnapshot);
      } else {
        // With a cursor, or without a snapshot field in the supergraph: the stored events after it.
        await replayStored(options.loadHistory, resumeFrom);
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
  else queueMicrotask(() => endWith(liveEventsUnavailable()));

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
      // Added first: a client that overflows while being handed the retained results leaves.
      clients.add(client);
      for (const result of retained) client.push(result);
    },
    leave(client) {
      if (!clients.delete(client)) return;
      if (clients.size === 0) end();
    },
  };
}
