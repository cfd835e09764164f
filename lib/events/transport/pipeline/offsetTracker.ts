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
  // Offsets in start order from `from` on; a record is done once it is in `done`. Numbers, not
  // BigInt: this runs per record, and offsets stay far below 2^53.
  let order: number[] = [];
  let from = 0;
  const done = new Set<number>();
  let head: number | undefined; // next offset to commit
  let lastCommitted: number | undefined;
  let last: number | undefined;

  const advance = () => {
    while (from < order.length && done.has(order[from]!)) {
      const offset = order[from++]!;
      done.delete(offset);
      head = offset + 1;
    }
    if (from > 1024 && from * 2 > order.length) {
      order = order.slice(from);
      from = 0;
    }
  };

  return {
    started(offset) {
      const value = Number(offset);
      if (last !== undefined && value <= last) {
        throw new RangeError(`expected an offset above ${last}, but got: ${offset}`);
      }
      last = value;
      order.push(value);
    },
    completed(offset) {
      done.add(Number(offset));
      advance();
    },
    committable() {
      if (head === undefined || head === lastCommitted) return undefined;
      return String(head);
    },
    committed(offset) {
      lastCommitted = Number(offset);
    },
    metadata() {
      const above = [...done].sort((a, b) => a - b).slice(0, METADATA_MAX_OFFSETS);
      return above.length === 0 ? '' : `done:${above.join(',')}`;
    },
    get inFlight() {
      return order.length - from;
    },
  };
}
