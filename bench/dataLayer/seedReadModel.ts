import type { Connection, mongo } from 'mongoose';
import type { CloudEvent } from '../../lib/events';
import { createComponentInsightModel } from '../../subgraphs/intelligence/src/models/ComponentInsight';
import type { ComponentRegisteredData } from '../../subgraphs/intelligence/src/projections/applyComponentEvent';

/**
 * Writes what the intelligence projector writes for `component.registered` events: the insight as
 * `applyComponentRegistered` upserts it, with the schema's defaults. (No `processed_events` entries:
 * the projector forgets event ids after its 24 h dedup window, like for components registered
 * longer ago.)
 */
export function createReadModelSeeder(intelligence: Connection) {
  const Insight = createComponentInsightModel(intelligence);
  return async (events: CloudEvent[]) => {
    const insights = events.map((event) => {
      const data = event.data as ComponentRegisteredData;
      const time = new Date(event.time);
      return new Insight({
        _id: event.subject,
        name: data.name,
        type: data.type,
        version: data.version,
        tags: data.tags ?? [],
        dependencies: data.dependencies ?? [],
        registeredAt: time,
        lastEventType: event.type,
        lastEventAt: time,
        lastSequence: event.sequence,
        eventCount: 1,
      }).toObject() as mongo.Document;
    });
    await Insight.collection.insertMany(insights);
  };
}

/**
 * Fails unless two documents of a collection have the same fields with the same types: one the
 * platform wrote, one the bench seeded. `ready` waits for the platform's (e.g. outbox cleared).
 */
export async function assertSameShape(
  collection: mongo.Collection,
  written: string,
  seeded: string,
  ready: (doc: mongo.Document) => boolean = () => true,
) {
  const shape = async (id: string) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const doc = await collection.findOne({ _id: id as never });
      if (doc && ready(doc)) {
        return Object.entries(doc)
          .map(([key, value]) => `${key}:${Array.isArray(value) ? 'array' : typeof value}`)
          .sort()
          .join(',');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${collection.collectionName} ${id} not written (or not ready) in 10 s`);
  };
  const [platform, bench] = await Promise.all([shape(written), shape(seeded)]);
  if (platform !== bench) {
    throw new Error(
      `seeded ${collection.collectionName} document differs:\n platform ${platform}\n bench    ${bench}`,
    );
  }
}
