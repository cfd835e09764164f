import { parse, type DocumentNode, type ExecutionResult } from 'graphql';
import type { FeedEvent, HistoryConfig } from './fieldConfig';

/** Runs an operation through the gateway's executor (query planner and subgraphs). */
export type ExecuteDocument = (
  document: DocumentNode,
  variables: Record<string, unknown>,
) => Promise<ExecutionResult>;

/** Raised when the history query fails; the feed ends with an error. */
export class HistoryLoadError extends Error {
  override readonly name = 'HistoryLoadError';
}

interface StoredEvent {
  id: string;
  sequence: number;
  cursor: string;
  kind: string;
}

/**
 * Creates the loader of a stream's stored events after a cursor, following pages until a short
 * one, through the gateway's own executor so the owning subgraph answers.
 */
export function createHistoryLoader(
  history: HistoryConfig,
  stream: string,
  terminalKind: string,
  execute: ExecuteDocument,
): (after: string | undefined) => Promise<FeedEvent[]> {
  const pageSize = history.pageSize ?? 100;
  const document = parse(/* GraphQL */ `
    query SubscriptionHistory($stream: ID!, $after: String, $first: Int) {
      events: ${history.field}(${history.streamArgument}: $stream, ${history.afterArgument}: $after, first: $first) {
        id sequence cursor kind
      }
    }
  `);
  return async (after) => {
    const events: FeedEvent[] = [];
    let cursor = after;
    for (;;) {
      const result = await execute(document, { stream, after: cursor ?? null, first: pageSize });
      const page = result.data?.events as StoredEvent[] | undefined;
      if (!page) {
        throw new HistoryLoadError(
          `history of ${stream} failed: ${result.errors?.map((e) => e.message).join('; ') ?? 'no data'}`,
        );
      }
      for (const stored of page) {
        events.push({
          id: stored.id,
          stream,
          sequence: stored.sequence,
          cursor: stored.cursor,
          terminal: stored.kind === terminalKind,
          data: { ...stored },
        });
      }
      const last = page.at(-1);
      if (page.length < pageSize || !last) return events;
      cursor = last.cursor;
    }
  };
}
