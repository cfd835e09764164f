import type { ExecutionResult } from 'graphql';
import type { Logger } from '../../../lib/logging';
import type { EventSource } from './eventSource';
import { toFeedEvent, type FeedEvent, type SubscriptionFieldConfig } from './fieldConfig';

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
  /** Response key of the root field, for snapshot marking. */
  responseKey: string;
  logger: Logger;
  /** Called once when the feed ends (terminal event, error, or no clients left). */
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

function markSnapshot(
  result: ExecutionResult,
  responseKey: string,
  snapshot: { field: string; value: string } | undefined,
): ExecutionResult {
  const root = result.data?.[responseKey];
  if (!snapshot || typeof root !== 'object' || root === null || !(snapshot.field in root)) {
    return result;
  }
  return {
    ...result,
    data: { ...result.data, [responseKey]: { ...root, [snapshot.field]: snapshot.value } },
  };
}

/**
 * Creates a feed: listens to live events first (buffered), then sends the snapshot (latest stored
 * event, marked as such) or replays the stored events after the client's cursor, then flushes the
 * buffer and goes live. Deliveries run one at a time, so per-stream order holds; events at or below
 * the last delivered sequence are dropped (no duplicate) and a jump in sequence is filled from the
 * store (no gap). A terminal event completes every client.
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
  let chain: Promise<void> = Promise.resolve();

  const end = () => {
    if (ended) return;
    ended = true;
    stopListening();
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

  const deliver = async (event: FeedEvent, asSnapshot = false) => {
    if (ended) return;
    const result = await options.execute(event.id);
    if (ended) return;
    const output = asSnapshot ? markSnapshot(result, options.responseKey, config.snapshot) : result;
    lastSequence.set(event.stream, event.sequence);
    lastCursor.set(event.stream, event.cursor);
    if (retaining && retained.length < retainLimit) retained.push(output);
    else retaining = false;
    for (const client of clients) client.push(output);
    if (event.terminal && config.history) end();
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

  enqueue(async () => {
    if (options.loadHistory && config.history) {
      const after = args[config.history.afterArgument];
      const resumeFrom = typeof after === 'string' ? after : undefined;
      const stored = await options.loadHistory(resumeFrom);
      if (resumeFrom === undefined) {
        const latest = stored.at(-1);
        if (latest) await deliver(latest, true);
      } else {
        for (const event of stored) await deliver(event);
      }
    }
    replayed = true;
    for (const event of pending.splice(0)) await handleLive(event);
  });

  return {
    get joinable() {
      return !ended && retaining;
    },
    join(client) {
      if (ended) {
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
