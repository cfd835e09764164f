import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One event worth remembering (quality verdicts, usage, blocked pipelines, style changes), keyed by
 * the event id: inserting it twice fails on the key, which makes every signal idempotent.
 */
export interface SignalDoc {
  _id: string;
  type: string;
  componentId?: string;
  projectId?: string;
  reason?: string;
  score?: number;
  at: Date;
}

const signalSchema = new Schema<SignalDoc>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    componentId: String,
    projectId: String,
    reason: String,
    score: Number,
    at: { type: Date, required: true },
  },
  { collection: 'signals', versionKey: false },
);
signalSchema.index({ componentId: 1, at: -1 });
signalSchema.index({ projectId: 1, at: -1 });
signalSchema.index({ type: 1, at: -1 });

export type SignalModel = Model<SignalDoc>;

/** Registers the Signal model on a connection. */
export function createSignalModel(connection: Connection): SignalModel {
  return connection.model<SignalDoc>('Signal', signalSchema);
}
