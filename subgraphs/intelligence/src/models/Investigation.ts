import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields } from '../../../../lib/events';

/**
 * Intelligence's own aggregate for a component it investigates after `pipeline.blocked`: it
 * carries the outbox of `component.update.requested` events. `handled` holds the ids of the
 * blocked events already answered, so a redelivery does not request twice.
 */
export interface InvestigationDoc extends OutboxFields {
  _id: string;
  handled: string[];
  lastReason?: string;
}

const investigationSchema = new Schema<InvestigationDoc>(
  {
    _id: { type: String, required: true },
    handled: { type: [String], default: [] },
    lastReason: String,
    ...outboxSchemaFields,
  },
  { collection: 'investigations', versionKey: false },
);

export type InvestigationModel = Model<InvestigationDoc>;

/** Registers the Investigation model on a connection. */
export function createInvestigationModel(connection: Connection): InvestigationModel {
  return connection.model<InvestigationDoc>('Investigation', investigationSchema);
}
