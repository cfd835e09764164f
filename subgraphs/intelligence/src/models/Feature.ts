import { Schema, type Connection, type Model } from 'mongoose';

/** A feature integrated into a project, with the impact computed when it was integrated. */
export interface FeatureDoc {
  _id: string;
  projectId: string;
  name: string;
  componentIds: string[];
  affected: string[];
  riskScore: number;
  /** Build levels; objects because FerretDB 1.x cannot store nested arrays. */
  levels: { ids: string[] }[];
  criticalPath: string[];
  createdAt: Date;
}

const featureSchema = new Schema<FeatureDoc>(
  {
    _id: { type: String, required: true },
    projectId: { type: String, required: true },
    name: { type: String, required: true },
    componentIds: { type: [String], default: [] },
    affected: { type: [String], default: [] },
    riskScore: { type: Number, required: true },
    levels: { type: [Object], default: [] },
    criticalPath: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'features', versionKey: false },
);
featureSchema.index({ projectId: 1, name: 1 }, { unique: true });

export type FeatureModel = Model<FeatureDoc>;

/** Registers the Feature model on a connection. */
export function createFeatureModel(connection: Connection): FeatureModel {
  return connection.model<FeatureDoc>('Feature', featureSchema);
}
