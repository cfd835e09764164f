import type { DocumentNode, ExecutionResult } from 'graphql';
import type { ExecuteDocument } from './historyLoader';

/** Aliases the gateway adds to the snapshot query to learn where the snapshot stands. */
export const SNAPSHOT_HIDDEN_FIELDS = {
  __feedSequence: 'sequence',
  __feedCursor: 'cursor',
  __feedStatus: 'status',
} as const;

/** The current state of a stream, resolved with the client's own selection. */
export interface StreamSnapshot {
  /** The client's result, hidden fields removed. */
  result: ExecutionResult;
  stream: string;
  sequence: number;
  cursor: string;
  /** The stream is already in a terminal state: nothing will follow. */
  terminal: boolean;
}

/** Raised when the snapshot query fails; the feed ends with an error. */
export class SnapshotLoadError extends Error {
  override readonly name = 'SnapshotLoadError';
}

/** Options of {@link createSnapshotLoader}. */
export interface SnapshotLoaderOptions {
  /** The subscription rewritten onto the snapshot field, with {@link SNAPSHOT_HIDDEN_FIELDS}. */
  document: DocumentNode;
  /** Variables of that document, the stream id included. */
  variables: Record<string, unknown>;
  /** The stream (e.g. run id) the snapshot is of. */
  stream: string;
  responseKey: string;
  terminalStatuses: readonly string[];
  execute: ExecuteDocument;
}

/**
 * Creates the loader of a stream's current state (the first message of a subscription without a
 * cursor). It resolves to undefined when the stream does not exist.
 */
export function createSnapshotLoader(
  options: SnapshotLoaderOptions,
): () => Promise<StreamSnapshot | undefined> {
  const { responseKey } = options;
  return async () => {
    const result = await options.execute(options.document, options.variables);
    const root = result.data?.[responseKey] as Record<string, unknown> | null | undefined;
    if (result.errors?.length && !root) {
      throw new SnapshotLoadError(
        `snapshot failed: ${result.errors.map((error) => error.message).join('; ')}`,
      );
    }
    if (!root) return undefined;
    const {
      __feedSequence: sequence,
      __feedCursor: cursor,
      __feedStatus: status,
      ...visible
    } = root;
    if (typeof sequence !== 'number' || typeof cursor !== 'string') {
      throw new SnapshotLoadError('snapshot lacks its sequence or cursor');
    }
    return {
      result: { ...result, data: { ...result.data, [responseKey]: visible } },
      stream: options.stream,
      sequence,
      cursor,
      terminal: typeof status === 'string' && options.terminalStatuses.includes(status),
    };
  };
}

/** Options of {@link createSnapshotListLoader}. */
export interface SnapshotListLoaderOptions {
  /** The subscription rewritten onto the list field, with {@link SNAPSHOT_HIDDEN_FIELDS} and the stream field. */
  document: DocumentNode;
  variables: Record<string, unknown>;
  responseKey: string;
  /** Hidden alias of the field naming each snapshot's stream (e.g. `runId`). */
  streamAlias: string;
  execute: ExecuteDocument;
}

/** Creates the loader of the current states of every stream a subscription watches. */
export function createSnapshotListLoader(
  options: SnapshotListLoaderOptions,
): () => Promise<StreamSnapshot[]> {
  const { responseKey, streamAlias } = options;
  return async () => {
    const result = await options.execute(options.document, options.variables);
    const list = result.data?.[responseKey];
    if (!Array.isArray(list)) {
      throw new SnapshotLoadError(
        `initial states failed: ${result.errors?.map((error) => error.message).join('; ') ?? 'no data'}`,
      );
    }
    return (list as Record<string, unknown>[]).map((item) => {
      const {
        __feedSequence: sequence,
        __feedCursor: cursor,
        __feedStatus: _status,
        [streamAlias]: stream,
        ...visible
      } = item;
      if (typeof sequence !== 'number' || typeof cursor !== 'string' || typeof stream !== 'string')
        throw new SnapshotLoadError('an initial state lacks its stream, sequence or cursor');
      return {
        result: { data: { [responseKey]: visible } },
        stream,
        sequence,
        cursor,
        terminal: false,
      };
    });
  };
}
