import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields } from '../../../../lib/events';

export const COMPONENT_TYPES = ['ATOM', 'MOLECULE', 'ORGANISM', 'TEMPLATE', 'PAGE'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

/** A registry component as stored; `_id` is a UUID chosen at registration. */
export interface ComponentDoc extends OutboxFields {
  _id: string;
  name: string;
  type: ComponentType;
  version: string;
  description?: string;
  tags: string[];
  dependencies: string[];
  createdAt: Date;
  updatedAt: Date;
}

const componentSchema = new Schema<ComponentDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    type: { type: String, enum: COMPONENT_TYPES, required: true },
    version: { type: String, required: true },
    description: { type: String },
    tags: { type: [String], default: [] },
    dependencies: { type: [String], default: [] },
    ...outboxSchemaFields,
  },
  { timestamps: true, collection: 'components', versionKey: false },
);
componentSchema.index({ name: 1 }, { unique: true });
componentSchema.index({ type: 1, createdAt: -1 });
componentSchema.index({ tags: 1 });
componentSchema.index({ dependencies: 1 });

export type ComponentModel = Model<ComponentDoc>;

/** Registers the Component model on a connection. */
export function createComponentModel(connection: Connection): ComponentModel {
  return connection.model<ComponentDoc>('Component', componentSchema);
}
