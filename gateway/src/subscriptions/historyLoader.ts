import type { DocumentNode, ExecutionResult, GraphQLFormattedError } from 'graphql';
import type { FeedEvent } from './fieldConfig';
import type { RootArgument } from './toEventQuery';

/** Runs an operation through the gateway's executor (query planner and subgraphs). */
export type ExecuteDocument = (
  document: DocumentNode,
  variables: Record<string, unknown>,
) => Promise<ExecutionResult>;

/** Raised when the history query fails; the feed ends with an error. */
export class HistoryLoadError extends Error {
  override readonly name = 'HistoryLoadError';
  constructor(
    message: string,
    /** The subgraph's errors when it refused the request itself (e.g. a bad cursor). */
    readonly refusal?: readonly GraphQLFormattedError[],
  ) {
    super(message);
  }
}

/** Aliases the gateway adds to each stored event of a history page. */
export const HISTORY_HIDDEN_FIELDS = {
  __feedId: 'id',
  __feedSequence: 'sequence',
  __feedCursor: 'cursor',
  __feedKind: 'kind',
} as const;

const STREAM_VARIABLE = '__historyStream';
const AFTER_VARIABLE = '__historyAfter';
const FIRST_VARIABLE = '__historyFirst';

/** How the history field's arguments are bound when the subscription is rewritten onto it. */
export function historyRootArguments(history: {
  streamArgument: string;
  afterArgument: string;
}): RootArgument[] {
  return [
    { argument: history.streamArgument, variable: STREAM_VARIABLE, type: 'ID!' },
    { argument: history.afterArgument, variable: AFTER_VARIABLE, type: 'String' },
    { argument: 'first', variable: FIRST_VARIABLE, type: 'Int' },
  ];
}

/** Options of {@link createHistoryLoader}. */
export interface HistoryLoaderOptions {
  /** The subscription rewritten onto the history field ({@link historyRootArguments}, hidden fields). */
  document: DocumentNode;
  /** The client's variables. */
  variables: Record<string, unknown>;
  stream: string;
  responseKey: string;
  pageSize: number;
  terminalKind: string;
  execute: ExecuteDocument;
}

/** Pages of stored events after a cursor, oldest first, each event with the client's result. */
export type LoadHistory = (after: string | undefined) => AsyncGenerator<FeedEvent[]>;

/** Errors of one list item, re-rooted as if the item had been queried alone. */
function itemErrors(
  errors: readonly GraphQLFormattedError[],
  responseKey: string,
  index: number,
): GraphQLFormattedError[] {
  return errors
    .filter((error) => error.path?.[0] === responseKey && error.path[1] === index)
    .map((error) => ({ ...error, path: [responseKey, ...(error.path ?? []).slice(2)] }));
}

/** The subgraph refused the request (bad input), rather than failing. */
const refusal = (errors: readonly GraphQLFormattedError[] | undefined) =>
  errors?.some((error) => error.extensions?.code === 'BAD_USER_INPUT') ? errors : undefined;

/**
 * Creates the loader of a stream's stored events: one query per page resolves the client's own
 * selection for every event of the page (through the gateway's executor, so every subgraph's
 * fields are there), following pages until a short one.
 */
export function createHistoryLoader(options: HistoryLoaderOptions): LoadHistory {
  const { responseKey, stream, pageSize } = options;
  return async function* load(after) {
    let cursor = after;
    for (;;) {
      const result = await options.execute(options.document, {
        ...options.variables,
        [STREAM_VARIABLE]: stream,
        [AFTER_VARIABLE]: cursor ?? null,
        [FIRST_VARIABLE]: pageSize,
      });
      const page = result.data?.[responseKey] as Record<string, unknown>[] | null | undefined;
      const errors = (result.errors ?? []) as readonly GraphQLFormattedError[];
      if (!Array.isArray(page)) {
        throw new HistoryLoadError(
          `history of ${stream} failed: ${errors.map((e) => e.message).join('; ') || 'no data'}`,
          refusal(errors),
        );
      }
      const events = page.map((item, index): FeedEvent => {
        const {
          __feedId: id,
          __feedSequence: sequence,
          __feedCursor: eventCursor,
          __feedKind: kind,
          ...visible
        } = item;
        if (
          typeof id !== 'string' ||
          typeof sequence !== 'number' ||
          typeof eventCursor !== 'string'
        )
          throw new HistoryLoadError(`history of ${stream}: an event lacks its id or position`);
        const own = itemErrors(errors, responseKey, index);
        return {
          id,
          stream,
          sequence,
          cursor: eventCursor,
          terminal: kind === options.terminalKind,
          data: item,
          result: {
            data: { [responseKey]: visible },
            ...(own.length > 0 && { errors: own as never }),
          },
        };
      });
      if (events.length > 0) yield events;
      const last = events.at(-1);
      if (page.length < pageSize || !last) return;
      cursor = last.cursor;
    }
  };
}
