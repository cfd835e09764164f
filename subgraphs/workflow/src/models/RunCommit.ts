import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields } from '../../../../lib/events';
import type { RunEventDoc } from './RunEvent';
import type { WorkflowRunDoc } from './WorkflowRun';

/**
 * One committed revision of a run: `_id` is `<runId>:<revision>`, so inserting it is the atomic
 * claim of that revision (FerretDB 1.x loses concurrent updates of one document, but a unique
 * `_id` insert cannot be lost). It carries the full state after the change (a snapshot), the
 * progress events, and the outgoing events as an outbox the relay publishes from.
 */
export interface RunCommitDoc extends OutboxFields {
  _id: string;
  runId: string;
  revision: number;
  state: Omit<WorkflowRunDoc, 'pendingEvents' | 'outboxPending'>;
  progress: RunEventDoc[];
  createdAt: Date;
}

const runCommitSchema = new Schema<RunCommitDoc>(
  {
    _id: { type: String, required: true },
    runId: { type: String, required: true },
    revision: { type: Number, required: true },
    state: { type: Object, required: true },
    progress: { type: [Object], default: () => [] },
    createdAt: { type: Date, required: true },
    ...outboxSchemaFields,
  },
  { collection: 'workflow_run_commits', versionKey: false, minimize: false },
);
runCommitSchema.index({ runId: 1, revision: 1 }, { unique: true });
runCommitSchema.index({ createdAt: 1 });

export type RunCommitModel = Model<RunCommitDoc>;

/** Registers the RunCommit model on a connection. */
export function createRunCommitModel(connection: Connection): RunCommitModel {
  return connection.model<RunCommitDoc>('RunCommit', runCommitSchema);
}
