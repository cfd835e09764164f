import type { Logger } from '../../logging';
import { OUTBOX_PARKED, OUTBOX_PENDING, type OutboxSource } from './fields';

// Finds documents whose writer predates the flag (or forgot it): a scan, so only at start and rarely.
const UNFLAGGED_FILTER = { 'pendingEvents.0': { $exists: true }, [OUTBOX_PENDING]: { $ne: true } };
// Documents parked before the parked flag existed: a scan, at start only.
const UNFLAGGED_PARKED_FILTER = {
  'parkedEvents.0': { $exists: true },
  [OUTBOX_PARKED]: { $ne: true },
};

/** Options of {@link repairOutboxFlags}. */
export interface RepairOptions {
  sources: OutboxSource[];
  logger: Logger;
  /** Also flag documents holding parked events without {@link OUTBOX_PARKED} (start-up). */
  parked?: boolean;
}

/**
 * Flags documents that hold pending events without {@link OUTBOX_PENDING} (a scan), and with
 * `parked` those holding parked events without {@link OUTBOX_PARKED}. Resolves to whether pending
 * events were found, so the caller runs a relay pass.
 */
export async function repairOutboxFlags({
  sources,
  logger,
  parked = false,
}: RepairOptions): Promise<boolean> {
  let found = false;
  for (const source of sources) {
    const result = await source.model.updateMany(UNFLAGGED_FILTER, {
      $set: { [OUTBOX_PENDING]: true },
    });
    if (result.modifiedCount > 0) {
      found = true;
      logger.warn(
        { topic: source.topic, documents: result.modifiedCount },
        'outbox: flagged pending events written without the outboxPending flag',
      );
    }
    if (!parked) continue;
    const legacy = await source.model.updateMany(UNFLAGGED_PARKED_FILTER, {
      $set: { [OUTBOX_PARKED]: true },
    });
    if (legacy.modifiedCount > 0) {
      logger.warn(
        { topic: source.topic, documents: legacy.modifiedCount },
        'outbox: flagged parked events set aside before the outboxParked flag existed',
      );
    }
  }
  return found;
}
