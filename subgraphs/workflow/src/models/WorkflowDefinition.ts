import { Schema, type Connection, type Model } from 'mongoose';

/** A stored workflow definition version; `(definitionId, version)` is unique. */
export interface WorkflowDefinitionDoc {
  _id: string;
  definitionId: string;
  version: string;
  name: string;
  /** The declarative definition as submitted (validated before it is stored). */
  spec: Record<string, unknown>;
  createdAt: Date;
}

const workflowDefinitionSchema = new Schema<WorkflowDefinitionDoc>(
  {
    _id: { type: String, required: true },
    definitionId: { type: String, required: true },
    version: { type: String, required: true },
    name: { type: String, required: true },
    spec: { type: Object, required: true },
  },
  {
    collection: 'workflow_definitions',
    versionKey: false,
    timestamps: { createdAt: true, updatedAt: false },
  },
);
workflowDefinitionSchema.index({ definitionId: 1, version: 1 }, { unique: true });

export type WorkflowDefinitionModel = Model<WorkflowDefinitionDoc>;

/** Registers the WorkflowDefinition model on a connection. */
export function createWorkflowDefinitionModel(connection: Connection): WorkflowDefinitionModel {
  return connection.model<WorkflowDefinitionDoc>('WorkflowDefinition', workflowDefinitionSchema);
}
