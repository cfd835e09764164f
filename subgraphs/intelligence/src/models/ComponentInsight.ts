import { Schema, type Connection, type Model } from 'mongoose';

/** The intelligence read model of one component, built only from events. */
export interface ComponentInsightDoc {
  _id: string;
  name?: string;
  type?: string;
  version?: string;
  tags: string[];
  dependencies: string[];
  deprecated: boolean;
  deleted: boolean;
  registeredAt?: Date;
  eventCount: number;
  lastEventType?: string;
  lastEventAt?: Date;
  /** Highest per-aggregate sequence applied: replays and redeliveries below it are no-ops. */
  lastSequence: number;
  qualityScore?: number;
  qualityPassed?: boolean;
  qualityFailures: number;
  usageCount: number;
  projects: string[];
}

const componentInsightSchema = new Schema<ComponentInsightDoc>(
  {
    _id: { type: String, required: true },
    name: String,
    type: String,
    version: String,
    tags: { type: [String], default: [] },
    dependencies: { type: [String], default: [] },
    deprecated: { type: Boolean, default: false },
    deleted: { type: Boolean, default: false },
    registeredAt: Date,
    eventCount: { type: Number, default: 0 },
    lastEventType: String,
    lastEventAt: Date,
    lastSequence: { type: Number, default: 0 },
    qualityScore: Number,
    qualityPassed: Boolean,
    qualityFailures: { type: Number, default: 0 },
    usageCount: { type: Number, default: 0 },
    projects: { type: [String], default: [] },
  },
  { collection: 'component_insights', versionKey: false },
);
componentInsightSchema.index({ dependencies: 1 });
componentInsightSchema.index({ lastEventAt: -1 });
componentInsightSchema.index({ projects: 1 });

export type ComponentInsightModel = Model<ComponentInsightDoc>;

/** Registers the ComponentInsight model on a connection. */
export function createComponentInsightModel(connection: Connection): ComponentInsightModel {
  return connection.model<ComponentInsightDoc>('ComponentInsight', componentInsightSchema);
}
