import { Schema, type Connection, type Model } from 'mongoose';

/** A decision recorded for a project (e.g. `routing: file-based`). */
export interface Decision {
  key: string;
  value: unknown;
  decidedAt: Date;
}

/**
 * What intelligence knows about a project. `components` grows from `component.used` events;
 * `style` and `decisions` are edited through `updateProjectContext` under `version`.
 */
export interface ProjectContextDoc {
  _id: string;
  version: number;
  components: string[];
  style: Record<string, unknown>;
  decisions: Decision[];
  /** Bumped by `style.changed`: what was derived from the old style is stale. */
  styleEpoch: number;
  updatedAt?: Date;
}

const projectContextSchema = new Schema<ProjectContextDoc>(
  {
    _id: { type: String, required: true },
    version: { type: Number, default: 0 },
    components: { type: [String], default: [] },
    style: { type: Schema.Types.Mixed, default: () => ({}) },
    decisions: { type: [Object], default: [] },
    styleEpoch: { type: Number, default: 0 },
    updatedAt: Date,
  },
  { collection: 'project_contexts', versionKey: false, minimize: false },
);
projectContextSchema.index({ components: 1 });

export type ProjectContextModel = Model<ProjectContextDoc>;

/** Registers the ProjectContext model on a connection. */
export function createProjectContextModel(connection: Connection): ProjectContextModel {
  return connection.model<ProjectContextDoc>('ProjectContext', projectContextSchema);
}
