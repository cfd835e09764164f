/** Most completed-above-the-commit offsets written into the commit metadata. */
const METADATA_MAX_OFFSETS = 200;

/**
 * Tracks the offsets of one partition handed to handlers and completed out of order, and yields
 * the offset safe to commit: one past the highest offset below which everything is done (the
 * Parallel Consumer rule), so a crash or rebalance never skips an unprocessed record.
 */
export interface OffsetTracker {
  /** Registers a record about to be processed (offsets must increase). */
  started(offset: string): void;
  completed(offset: string): void;
  /** The next offset to commit, or undefined when nothing new is safe to commit. */
  committable(): string | undefined;
  /** Marks `committable()` as committed. */
  committed(offset: string): void;
  /**
   * Completed offsets above the commit point, for the commit metadata (diagnostics; a restart
   * reprocesses them and the dedup store absorbs the duplicates).
   */
  metadata(): string;
  /** Records started and not completed. */
  readonly inFlight: number;
}

/** Creates an {@link OffsetTracker}. */
export function createOffsetTracker(): OffsetTracker {
  // Offsets in start order; a record is done once it is in `done`.
  const order: bigint[] = [];
  const done = new Set<bigint>();
  let head: bigint | undefined; // next offset to commit
  let lastCommitted: bigint | undefined;
  let last: bigint | undefined;

  const advance = () => {
    while (order.length > 0 && done.has(order[0]!)) {
      const offset = order.shift()!;
      done.delete(offset);
      head = offset + 1n;
    }
  };

  return {
    started(offset) {
      const value = BigInt(offset);
      if (last !== undefined && value <= last) {
        throw new RangeError(`expected an offset above ${last}, but got: ${offset}`);
      }
      last = value;
      order.push(value);
    },
    completed(offset) {
      done.add(BigInt(offset));
      advance();
    },
    committable() {
      if (head === undefined || head === lastCommitted) return undefined;
      return head.toString();
    },
    committed(offset) {
      lastCommitted = BigInt(offset);
    },
    metadata() {
      const above = [...done].sort((a, b) => (a < b ? -1 : 1)).slice(0, METADATA_MAX_OFFSETS);
      return above.length === 0 ? '' : `done:${above.join(',')}`;
    },
    get inFlight() {
      return order.length;
    },
  };
}
