import { mongoCapabilities } from '../../mongo/capabilities';
import { OUTBOX_PENDING, type OutboxSource, type PendingDoc } from './fields';

// Compare-and-set attempts before a pass leaves published events pending (they are sent again:
// at-least-once, consumers deduplicate).
const CAS_ATTEMPTS = 20;

/**
 * Clears exactly the published (or parked) events of one document, never one appended meanwhile:
 * by `$pull` of their ids where the server supports it (probed), else by compare-and-set on
 * eventSequence (FerretDB 1.x). The flag is cleared only by an update whose filter sees the list
 * empty, so an append racing with it keeps its flag.
 */
export async function clearPublished(
  source: OutboxSource,
  doc: PendingDoc,
  published: Set<string>,
): Promise<void> {
  const { pullWithCondition } = await mongoCapabilities(source.model.db);
  if (pullWithCondition) {
    if (published.size > 0) {
      await source.model.updateOne(
        { _id: doc._id },
        { $pull: { pendingEvents: { id: { $in: [...published] } } } },
      );
    }
    await source.model.updateOne(
      { _id: doc._id, 'pendingEvents.0': { $exists: false }, [OUTBOX_PENDING]: true },
      { $set: { [OUTBOX_PENDING]: false } },
    );
    return;
  }
  let current: PendingDoc | null = doc;
  for (let attempt = 0; current && attempt < CAS_ATTEMPTS; attempt++) {
    const remaining = current.pendingEvents.filter((event) => !published.has(event.id));
    const result = await source.model.updateOne(
      { _id: current._id, eventSequence: current.eventSequence },
      { $set: { pendingEvents: remaining, [OUTBOX_PENDING]: remaining.length > 0 } },
    );
    if (result.matchedCount === 1) return;
    current = await source.model
      .findById(doc._id, { pendingEvents: 1, eventSequence: 1 })
      .lean<PendingDoc>();
  }
}
