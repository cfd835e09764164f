import type { CloudEvent } from '../../../../lib/events';
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

/**
 * Applies a component event to the read model at most once: the update only matches while the
 * stored sequence is lower, and an upsert that collides with a newer document is a no-op.
 * @returns whether the event changed the read model
 */
export async function applyComponentEvent(
  insights: ComponentInsightModel,
  event: CloudEvent,
  change: InsightChange = {},
): Promise<boolean> {
  const time = new Date(event.time);
  try {
    const result = await insights.updateOne(
      { _id: event.subject, lastSequence: { $lt: event.sequence } },
      {
        $set: {
          ...change.set,
          lastEventType: event.type,
          lastEventAt: time,
          lastSequence: event.sequence,
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

/** Learns a newly registered component. */
export function applyComponentRegistered(insights: ComponentInsightModel, event: CloudEvent) {
  const data = event.data as ComponentRegisteredData;
  return applyComponentEvent(insights, event, {
    set: {
      name: data.name,
      type: data.type,
      version: data.version,
      tags: data.tags ?? [],
      dependencies: data.dependencies ?? [],
      registeredAt: new Date(event.time),
    },
  });
}

const UPDATABLE = ['type', 'version', 'tags', 'dependencies', 'deprecated'] as const;

/** Applies the changed fields of `component.updated` that the read model keeps. */
export function applyComponentUpdated(insights: ComponentInsightModel, event: CloudEvent) {
  const data = event.data as { version?: string; changes?: Record<string, unknown> };
  const set: Record<string, unknown> = {};
  for (const field of UPDATABLE) {
    if (data.changes && field in data.changes) set[field] = data.changes[field];
  }
  if (data.version) set.version = data.version;
  return applyComponentEvent(insights, event, { set });
}
