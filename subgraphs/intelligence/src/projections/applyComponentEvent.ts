import type { CloudEvent, EventOrigin } from '../../../../lib/events';
import { MissingSequenceError } from '../../../../lib/events';
import type { ComponentInsightModel } from '../models/ComponentInsight';

const DUPLICATE_KEY = 11000;

/** Data of `component.registered` as the registry publishes it. */
export interface ComponentRegisteredData {
  id: string;
  name: string;
  type: string;
  version: string;
  tags?: string[];
  dependencies?: string[];
}

/** Update operators beyond the bookkeeping every event does. */
export interface InsightChange {
  set?: Record<string, unknown>;
  inc?: Record<string, number>;
  addToSet?: Record<string, unknown>;
}

/** Whether the event carries a usable per-aggregate `sequence` (optional in the envelope). */
export function isSequenced(event: CloudEvent): boolean {
  const sequence = (event as { sequence?: unknown }).sequence;
  return typeof sequence === 'number' && Number.isInteger(sequence) && sequence >= 1;
}

/**
 * Fails an event that replaces component state but has no `sequence`: without it, it cannot be
 * ordered against the aggregate's other events, so it is dead-lettered (never retried) with the
 * reason instead of being dropped or applied out of order. See docs/events.md, "Sequence".
 */
export function requireSequence(event: CloudEvent): number {
  if (isSequenced(event)) return event.sequence;
  throw new MissingSequenceError(
    `missing sequence: ${event.type} ${event.id} (subject ${event.subject}) replaces component ` +
      'state, which is only applied in per-aggregate sequence order; the producer must set ' +
      '`sequence` (binary mode: ce_sequence)',
  );
}

/**
 * When the event happened: its `time` (optional in the envelope), else the Kafka record's
 * timestamp, else now.
 */
export function eventTime(event: CloudEvent, origin?: EventOrigin): Date {
  const time = event.time ? new Date(event.time) : undefined;
  if (time && !Number.isNaN(time.getTime())) return time;
  const recorded = origin?.timestamp ? new Date(Number(origin.timestamp)) : undefined;
  if (recorded && !Number.isNaN(recorded.getTime())) return recorded;
  return new Date();
}

/**
 * Applies a component event to the read model at most once: the update only matches while the
 * stored sequence is lower, and an upsert that collides with a newer document is a no-op. An
 * event without `sequence` throws {@link requireSequence}'s permanent error.
 * @returns whether the event changed the read model
 */
export async function applyComponentEvent(
  insights: ComponentInsightModel,
  event: CloudEvent,
  change: InsightChange = {},
  origin?: EventOrigin,
): Promise<boolean> {
  const sequence = requireSequence(event);
  try {
    const result = await insights.updateOne(
      { _id: event.subject, lastSequence: { $lt: sequence } },
      {
        $set: {
          ...change.set,
          lastEventType: event.type,
          lastEventAt: eventTime(event, origin),
          lastSequence: sequence,
        },
        $inc: { ...change.inc, eventCount: 1 },
        ...(change.addToSet && { $addToSet: change.addToSet }),
      },
      { upsert: true },
    );
    return result.modifiedCount + result.upsertedCount > 0;
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
    throw error;
  }
}

/**
 * Applies an order-independent change (counters, set members) of an event without `sequence` to
 * component `componentId`: `lastSequence` and `lastEventType` stay as they are, `lastEventAt` only
 * moves forward. Not guarded by sequence: the caller must apply it once per event id.
 */
export async function applyUnorderedChange(
  insights: ComponentInsightModel,
  componentId: string,
  time: Date,
  change: Pick<InsightChange, 'inc' | 'addToSet'>,
): Promise<void> {
  const update = {
    $inc: { ...change.inc, eventCount: 1 },
    $max: { lastEventAt: time },
    ...(change.addToSet && { $addToSet: change.addToSet }),
  };
  try {
    await insights.updateOne({ _id: componentId }, update, { upsert: true });
  } catch (error) {
    // Two upserts of a new component raced: the document exists now, so update it.
    if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    await insights.updateOne({ _id: componentId }, update);
  }
}

/** Learns a newly registered component. */
export function applyComponentRegistered(
  insights: ComponentInsightModel,
  event: CloudEvent,
  origin?: EventOrigin,
) {
  const data = event.data as ComponentRegisteredData;
  return applyComponentEvent(
    insights,
    event,
    {
      set: {
        name: data.name,
        type: data.type,
        version: data.version,
        tags: data.tags ?? [],
        dependencies: data.dependencies ?? [],
        registeredAt: eventTime(event, origin),
      },
    },
    origin,
  );
}

const UPDATABLE = ['type', 'version', 'tags', 'dependencies', 'deprecated'] as const;

/** Applies the changed fields of `component.updated` that the read model keeps. */
export function applyComponentUpdated(
  insights: ComponentInsightModel,
  event: CloudEvent,
  origin?: EventOrigin,
) {
  const data = event.data as { version?: string; changes?: Record<string, unknown> };
  const set: Record<string, unknown> = {};
  for (const field of UPDATABLE) {
    if (data.changes && field in data.changes) set[field] = data.changes[field];
  }
  if (data.version) set.version = data.version;
  return applyComponentEvent(insights, event, { set }, origin);
}
