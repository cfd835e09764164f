import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A component linked to a run after the fact: the registry registered a component the run asked
 * for (`component.registered` carrying the run's id). `_id` is `<runId>:<componentId>`, so a
 * redelivered event inserts nothing new. Links live beside the run instead of in it because the
 * engine owns the run document and its commits, and FerretDB 1.x loses concurrent updates of one
 * document: an insert here can never overwrite engine state.
 */
export interface RunComponentLinkDoc {
  _id: string;
  runId: string;
  componentId: string;
  /** When the registry registered the component (the event's time). */
  linkedAt: Date;
  /** The `component.registered` event that created the link. */
  eventId: string;
}

const runComponentLinkSchema = new Schema<RunComponentLinkDoc>(
  {
    _id: { type: String, required: true },
    runId: { type: String, required: true },
    componentId: { type: String, required: true },
    linkedAt: { type: Date, required: true },
    eventId: { type: String, required: true },
  },
  { collection: 'run_components', versionKey: false },
);
runComponentLinkSchema.index({ runId: 1, linkedAt: 1 });
runComponentLinkSchema.index({ componentId: 1 });

export type RunComponentLinkModel = Model<RunComponentLinkDoc>;

/** The link id of a component and a run. */
export const runComponentLinkId = (runId: string, componentId: string) => `${runId}:${componentId}`;

/** Registers the RunComponentLink model on a connection. */
export function createRunComponentLinkModel(connection: Connection): RunComponentLinkModel {
  return connection.model<RunComponentLinkDoc>('RunComponentLink', runComponentLinkSchema);
}
