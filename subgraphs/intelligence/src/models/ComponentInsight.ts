import { Schema, type Connection, type Model } from 'mongoose';

/** The intelligence read model of one component, built only from events. */
export interface ComponentInsightDoc {
  _id: string;
  name?: string;
  type?: string;
  version?: string;
  dependencies: string[];
  registeredAt?: Date;
  eventCount: number;
  lastEventType?: string;
  lastEventAt?: Date;
  /** Highest per-aggregate sequence applied: replays and redeliveries below it are no-ops. */
  lastSequence: number;
}

const componentInsightSchema = new Schema<ComponentInsightDoc>(
  {
    _id: { type: String, required: true },
    name: String,
    type: String,
    version: String,
    dependencies: { type: [String], default: [] },
    registeredAt: Date,
    eventCount: { type: Number, default: 0 },
    lastEventType: String,
    lastEventAt: Date,
    lastSequence: { type: Number, default: 0 },
  },
  { collection: 'component_insights', versionKey: false },
);
componentInsightSchema.index({ dependencies: 1 });
componentInsightSchema.index({ lastEventAt: -1 });

export type ComponentInsightModel = Model<ComponentInsightDoc>;

/** Registers the ComponentInsight model on a connection. */
export function createComponentInsightModel(connection: Connection): ComponentInsightModel {
  return connection.model<ComponentInsightDoc>('ComponentInsight', componentInsightSchema);
}
