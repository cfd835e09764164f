import { Schema, type Connection, type Model } from 'mongoose';
import type { DeliveryAttempt, DeliveryRecord } from '../webhooks/deliveryLog';

export const DELIVERY_DIRECTIONS = ['INBOUND', 'OUTBOUND'] as const;
export const DELIVERY_STATES = ['PENDING', 'RETRYING', 'SUCCEEDED', 'FAILED', 'REFUSED'] as const;

/**
 * A stored webhook delivery (`webhook_deliveries`). `_id` is {@link deliveryKey}; `createdAt`
 * orders the log (it never changes, so a cursor over it is stable while attempts are added).
 * Refusal summaries (see `createDeliveryLog.ts`) carry `expiresAt` and are purged after it.
 */
export interface WebhookDeliveryDoc extends DeliveryRecord {
  _id: string;
  /** Requests the record stands for: 1, or the refused requests a refusal summary counted. */
  count: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt?: Date;
}

const attemptSchema = new Schema<DeliveryAttempt>(
  {
    at: { type: Date, required: true },
    status: Number,
    durationMs: { type: Number, required: true },
    error: String,
    deliveryId: String,
  },
  { _id: false },
);

const webhookDeliverySchema = new Schema<WebhookDeliveryDoc>(
  {
    _id: { type: String, required: true },
    deliveryId: { type: String, required: true },
    direction: { type: String, enum: DELIVERY_DIRECTIONS, required: true },
    endpoint: { type: String, required: true },
    url: String,
    runId: String,
    stepId: String,
    state: { type: String, enum: DELIVERY_STATES, required: true },
    attempts: { type: [attemptSchema], default: [] },
    nextRetryAt: Date,
    reason: String,
    count: { type: Number, default: 1 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    expiresAt: Date,
  },
  { collection: 'webhook_deliveries', versionKey: false },
);
// Newest first, overall and under each filter the query offers.
webhookDeliverySchema.index({ createdAt: -1, _id: -1 });
webhookDeliverySchema.index({ direction: 1, createdAt: -1, _id: -1 });
webhookDeliverySchema.index({ endpoint: 1, createdAt: -1, _id: -1 });
webhookDeliverySchema.index({ state: 1, createdAt: -1, _id: -1 });
webhookDeliverySchema.index({ runId: 1, createdAt: -1 }, { sparse: true });
webhookDeliverySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, sparse: true });

export type WebhookDeliveryModel = Model<WebhookDeliveryDoc>;

/** Registers the WebhookDelivery model on a connection. */
export function createWebhookDeliveryModel(connection: Connection): WebhookDeliveryModel {
  return connection.model<WebhookDeliveryDoc>('WebhookDelivery', webhookDeliverySchema);
}

/**
 * The stored key of a delivery. Outbound ids (`<runId>/<stepId>/<attempt>`) are unique by
 * themselves; an inbound id is the sender's, unique only within its source.
 */
export function deliveryKey(record: Pick<DeliveryRecord, 'direction' | 'endpoint' | 'deliveryId'>) {
  return record.direction === 'OUTBOUND'
    ? `OUTBOUND/${record.deliveryId}`
    : `INBOUND/${record.endpoint}/${record.deliveryId}`;
}
