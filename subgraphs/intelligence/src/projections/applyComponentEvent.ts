import type { CloudEvent } from '../../../../lib/events';
import type { ComponentInsightModel } from '../models/ComponentInsight';

const DUPLICATE_KEY = 11000;

/** Data of `component.registered` as the registry publishes it. */
export interface ComponentRegisteredData {
  id: string;
  name: string;
  type: string;
  version: string;
  dependencies?: string[];
}

/**
 * Applies a component event to the read model at most once: the update only matches while the
 * stored sequence is lower, and an upsert that collides with a newer document is a no-op.
 * @returns whether the event changed the read model
 */
export async function applyComponentEvent(
  insights: ComponentInsightModel,
  event: CloudEvent,
  set: Record<string, unknown> = {},
): Promise<boolean> {
  const time = new Date(event.time);
  try {
    const result = await insights.updateOne(
      { _id: event.subject, lastSequence: { $lt: event.sequence } },
      {
        $set: {
          ...set,
          lastEventType: event.type,
          lastEventAt: time,
          lastSequence: event.sequence,
        },
        $inc: { eventCount: 1 },
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
    name: data.name,
    type: data.type,
    version: data.version,
    dependencies: data.dependencies ?? [],
    registeredAt: new Date(event.time),
  });
}
