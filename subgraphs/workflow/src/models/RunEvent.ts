import { Schema, type Connection, type Model } from 'mongoose';
import type { RunStatus } from './WorkflowRun';

export const RUN_EVENT_KINDS = ['STARTED', 'TRANSITIONED', 'STEP_PROGRESSED', 'COMPLETED'] as const;
export type RunEventKind = (typeof RUN_EVENT_KINDS)[number];

/**
 * A stored progress event; `_id` is `<runId>:<sequence>`. Written right after the commit that
 * produced it (and again by any reader rolling that commit forward), so it is never uncommitted.
 */
export interface RunEventDoc {
  _id: string;
  runId: string;
  definitionId: string;
  sequence: number;
  kind: RunEventKind;
  at: Date;
  status: RunStatus;
  stepId?: string | null;
  fromStep?: string | null;
  toStep?: string | null;
  message?: string | null;
}

const runEventSchema = new Schema<RunEventDoc>(
  {
    _id: { type: String, required: true },
    runId: { type: String, required: true },
    definitionId: { type: String, required: true },
    sequence: { type: Number, required: true },
    kind: { type: String, enum: RUN_EVENT_KINDS, required: true },
    at: { type: Date, required: true },
    status: { type: String, required: true },
    stepId: String,
    fromStep: String,
    toStep: String,
    message: String,
  },
  { collection: 'run_events', versionKey: false },
);
runEventSchema.index({ runId: 1, sequence: 1 }, { unique: true });
runEventSchema.index({ at: 1 });

export type RunEventModel = Model<RunEventDoc>;

/** Registers the RunEvent model on a connection. */
export function createRunEventModel(connection: Connection): RunEventModel {
  return connection.model<RunEventDoc>('RunEvent', runEventSchema);
}

/** Opaque cursor of a progress event. */
export const encodeCursor = (runId: string, sequence: number) =>
  Buffer.from(`${runId}:${sequence}`, 'utf8').toString('base64url');

/** Sequence encoded by a cursor (a plain integer is accepted too); null when unreadable. */
export function decodeCursor(cursor: string): { runId?: string; sequence: number } | null {
  if (/^\d+$/.test(cursor)) return { sequence: Number(cursor) };
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.lastIndexOf(':');
  const sequence = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(sequence)) return null;
  return { runId: text.slice(0, at), sequence };
}
