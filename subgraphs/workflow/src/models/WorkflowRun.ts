import { Schema, type Connection, type Model } from 'mongoose';

export const RUN_STATUSES = [
  'PENDING',
  'RUNNING',
  'WAITING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'COMPENSATED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One execution of a definition version. */
export interface WorkflowRunDoc {
  _id: string;
  definitionId: string;
  definitionVersion: string;
  status: RunStatus;
  componentIds: string[];
  startedAt: Date;
  finishedAt?: Date;
}

const workflowRunSchema = new Schema<WorkflowRunDoc>(
  {
    _id: { type: String, required: true },
    definitionId: { type: String, required: true },
    definitionVersion: { type: String, required: true },
    status: { type: String, enum: RUN_STATUSES, required: true },
    componentIds: { type: [String], default: [] },
    startedAt: { type: Date, required: true },
    finishedAt: Date,
  },
  { collection: 'workflow_runs', versionKey: false },
);
workflowRunSchema.index({ componentIds: 1, startedAt: -1 });
workflowRunSchema.index({ definitionId: 1, status: 1, startedAt: -1 });

export type WorkflowRunModel = Model<WorkflowRunDoc>;

/** Registers the WorkflowRun model on a connection. */
export function createWorkflowRunModel(connection: Connection): WorkflowRunModel {
  return connection.model<WorkflowRunDoc>('WorkflowRun', workflowRunSchema);
}
