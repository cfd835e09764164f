import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields } from '../../../../lib/events';

export const COMPONENT_TYPES = ['ATOM', 'MOLECULE', 'ORGANISM', 'TEMPLATE', 'PAGE'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

/** One rule check of a quality report. */
export interface QualityCheckResult {
  name: string;
  passed: boolean;
  /** Points this check contributes when it passes; the weights of all checks sum to 100. */
  weight: number;
  message?: string;
}

/** A quality report as stored (latest on the component, every one in the history collection). */
export interface QualityReportDoc {
  _id: string;
  componentId: string;
  /** Component revision the report was computed on. */
  revision: number;
  score: number;
  passed: boolean;
  checks: QualityCheckResult[];
  createdAt: Date;
}

/** Usage counters kept on the component so a use and its event commit in one update. */
export interface UsageFields {
  count: number;
  projects: string[];
  lastUsedAt?: Date;
}

/** A registry component as stored; `_id` is a UUID chosen at registration. */
export interface ComponentDoc extends OutboxFields {
  _id: string;
  name: string;
  type: ComponentType;
  version: string;
  description?: string | null;
  tags: string[];
  /** JSON Schema of the component's inputs. */
  props?: unknown;
  dependencies: string[];
  deprecated: boolean;
  /** Optimistic-concurrency counter: incremented by every content change (not by usage). */
  revision: number;
  /** Normalised tokens of name, tags and description: the FerretDB-compatible text index. */
  searchTokens: string[];
  latestQuality?: QualityReportDoc;
  usage: UsageFields;
  /** Soft delete: the document stays until the relay published `component.deleted`. */
  deletedAt?: Date;
  deletedName?: string;
  /** Ids of the last `component.update.requested` commands applied (a redelivery is a no-op). */
  appliedRequests?: string[];
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
    props: { type: Schema.Types.Mixed },
    dependencies: { type: [String], default: [] },
    deprecated: { type: Boolean, default: false },
    revision: { type: Number, default: 1 },
    searchTokens: { type: [String], default: [] },
    latestQuality: { type: Schema.Types.Mixed },
    usage: {
      type: new Schema(
        { count: Number, projects: [String], lastUsedAt: Date },
        { _id: false, versionKey: false },
      ),
      default: () => ({ count: 0, projects: [] }),
    },
    deletedAt: { type: Date },
    deletedName: { type: String },
    appliedRequests: { type: [String], default: undefined },
    ...outboxSchemaFields,
  },
  // minimize: false keeps empty objects in `props` (an empty JSON Schema is valid).
  { timestamps: true, collection: 'components', versionKey: false, minimize: false },
);
componentSchema.index({ name: 1 }, { unique: true });
componentSchema.index({ type: 1, createdAt: -1 });
componentSchema.index({ createdAt: -1, _id: 1 });
componentSchema.index({ tags: 1 });
componentSchema.index({ dependencies: 1 });
componentSchema.index({ searchTokens: 1 });

export type ComponentModel = Model<ComponentDoc>;

/** Registers the Component model on a connection. */
export function createComponentModel(connection: Connection): ComponentModel {
  return connection.model<ComponentDoc>('Component', componentSchema);
}

/** Filter that hides soft-deleted components from every read. */
export const LIVE = { deletedAt: null } as const;
