import { Schema, type Connection, type Model } from 'mongoose';

/**
 * An inbound delivery already accepted (`webhook_seen_deliveries`): the unique indexes make a
 * second delivery with the same id, or the same signed timestamp and body under a new id, fail
 * its insert; that is how a replay is recognised across every instance of the role.
 */
export interface WebhookSeenDeliveryDoc {
  source: string;
  deliveryId: string;
  /** Hex HMAC of the delivery: a captured request resent under a fresh id has the same one. */
  signature: string;
  seenAt: Date;
  /** Past this no replay can be fresh any more (timestamp tolerance, both ways, plus a margin). */
  expiresAt: Date;
}

const seenDeliverySchema = new Schema<WebhookSeenDeliveryDoc>(
  {
    source: { type: String, required: true },
    deliveryId: { type: String, required: true },
    signature: { type: String, required: true },
    seenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'webhook_seen_deliveries', versionKey: false },
);
seenDeliverySchema.index({ source: 1, deliveryId: 1 }, { unique: true });
seenDeliverySchema.index({ source: 1, signature: 1 }, { unique: true });
// Servers without TTL indexes (FerretDB) keep expired records: the claim treats them as absent.
seenDeliverySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type WebhookSeenDeliveryModel = Model<WebhookSeenDeliveryDoc>;

/** Registers the WebhookSeenDelivery model on a connection. */
export function createWebhookSeenDeliveryModel(connection: Connection): WebhookSeenDeliveryModel {
  return connection.model<WebhookSeenDeliveryDoc>('WebhookSeenDelivery', seenDeliverySchema);
}
