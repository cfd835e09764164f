import { signal, type ReadonlySignal } from '@preact/signals';
import { createClient, type Client } from 'graphql-ws';
import type { GraphQLErrorShape } from './graphqlRequest';
import { GRAPHQL_PATH } from './graphqlRequest';

/** Where the socket stands, for the header's indicator. */
export type LiveStatus = 'connecting' | 'connected' | 'reconnecting' | 'refused';

/** One subscription whose `after` variable follows the last cursor it received. */
export interface FeedOptions<D> {
  query: string;
  variables: Record<string, unknown>;
  /**
   * Name of the variable resuming the feed (`after` of `runProgress`). When set, every time the
   * subscription is (re)sent it carries the cursor returned by `cursorOf` for the last result.
   */
  resumeVariable?: string;
  cursorOf?: (data: D) => string | undefined;
  onData(data: D): void;
  onError?(errors: readonly GraphQLErrorShape[]): void;
  onComplete?(): void;
}

/** The board's graphql-ws client (one socket for every feed). */
export interface LiveClient {
  status: ReadonlySignal<LiveStatus>;
  /** Starts a feed; the returned function ends it. */
  feed<D>(options: FeedOptions<D>): () => void;
  /** Called after each reconnection (not the first connection), e.g. to refetch what a snapshot misses. */
  onReconnected(listener: () => void): () => void;
  dispose(): void;
}

/** Options of {@link createLiveClient}. */
export interface LiveClientOptions {
  /** The value of the Authorization header, read at each (re)connection. */
  authorization: () => string | undefined;
  /** @default ws(s)://<page host>/graphql */
  url?: string;
}

/** Close codes after which retrying cannot help: the token was refused (docs/gateway.md). */
const FATAL_CLOSE_CODES = new Set([4401, 4403]);

/** Waits 0.5 s, 1 s, 2 s … capped at 5 s, with jitter so many pages do not reconnect in step. */
async function retryWait(retries: number): Promise<void> {
  const base = Math.min(500 * 2 ** retries, 5_000);
  await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
}

function closeCodeOf(event: unknown): number | undefined {
  return typeof event === 'object' && event !== null && 'code' in event
    ? Number((event as { code: unknown }).code)
    : undefined;
}

/**
 * Creates the graphql-ws client of the page: retries for as long as the page is open (a gateway
 * restart is a close 1001 or 1006, then refused connections until it is back) and resumes every
 * feed that has a cursor from the last one it saw.
 */
export function createLiveClient(options: LiveClientOptions): LiveClient {
  const status = signal<LiveStatus>('connecting');
  const reconnectListeners = new Set<() => void>();
  const url =
    options.url ??
    `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${GRAPHQL_PATH}`;
  const client: Client = createClient({
    url,
    lazy: true,
    retryAttempts: Infinity,
    retryWait,
    shouldRetry: (event) => !FATAL_CLOSE_CODES.has(closeCodeOf(event) ?? 0),
    // Notices a dead connection (laptop asleep, proxy dropped it) instead of waiting forever.
    keepAlive: 10_000,
    connectionParams: () => {
      const authorization = options.authorization();
      return authorization ? { authorization } : {};
    },
    on: {
      connecting: (isRetry) => {
        status.value = isRetry ? 'reconnecting' : 'connecting';
      },
      connected: (_socket, _payload, wasRetry) => {
        status.value = 'connected';
        if (wasRetry) for (const listener of reconnectListeners) listener();
      },
      closed: (event) => {
        const code = closeCodeOf(event);
        status.value =
          code !== undefined && FATAL_CLOSE_CODES.has(code) ? 'refused' : 'reconnecting';
      },
    },
  });

  return {
    status,
    feed<D>(feed: FeedOptions<D>): () => void {
      let lastCursor: string | undefined;
      const variables: Record<string, unknown> = { ...feed.variables };
      if (feed.resumeVariable) {
        const initial = variables[feed.resumeVariable];
        // graphql-ws keeps this payload object and serializes it again each time it resubscribes
        // after a reconnection (client.js `subscribe`), so a getter makes the resent subscription
        // carry the last cursor seen: the gateway then replays exactly the events missed.
        Object.defineProperty(variables, feed.resumeVariable, {
          enumerable: true,
          get: () => lastCursor ?? initial ?? null,
        });
      }
      return client.subscribe<D>(
        { query: feed.query, variables },
        {
          next: (result) => {
            if (result.errors?.length) feed.onError?.(result.errors as GraphQLErrorShape[]);
            if (!result.data) return;
            const cursor = feed.cursorOf?.(result.data as D);
            if (cursor) lastCursor = cursor;
            feed.onData(result.data as D);
          },
          error: (error) => {
            const errors = Array.isArray(error)
              ? (error as GraphQLErrorShape[])
              : [{ message: error instanceof Error ? error.message : 'subscription closed' }];
            feed.onError?.(errors);
          },
          complete: () => feed.onComplete?.(),
        },
      );
    },
    onReconnected(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    dispose() {
      reconnectListeners.clear();
      void client.dispose();
    },
  };
}
