import type { WebhookSeenDeliveryModel } from '../models/WebhookSeenDelivery';

const DUPLICATE_KEY = 11000;
/** Added to the replay window: the TTL monitor and clocks are not exact. */
const EXPIRY_MARGIN_MS = 60_000;

/** A delivery to claim: see {@link SeenDeliveries.claim}. */
export interface DeliveryClaim {
  source: string;
  deliveryId: string;
  /** Hex HMAC of the delivery. */
  signature: string;
  toleranceSec: number;
  now: Date;
}

/** The record of accepted inbound delivery ids, shared by every instance through MongoDB. */
export interface SeenDeliveries {
  /**
   * Records the delivery as seen: true when it is new, false when its id or its signature was
   * already seen (a replay). Database errors are thrown: without the record a replay cannot be
   * told apart, so the caller must refuse.
   */
  claim(claim: DeliveryClaim): Promise<boolean>;
  /** Forgets a claim whose delivery failed on our side, so that the sender's retry is not a replay. */
  release(source: string, deliveryId: string): Promise<void>;
}

/** Creates the seen-delivery record over `webhook_seen_deliveries`. */
export function createSeenDeliveries(model: WebhookSeenDeliveryModel): SeenDeliveries {
  return {
    async claim({ source, deliveryId, signature, toleranceSec, now }) {
      // A timestamp is fresh for `tolerance` either side of the clock, so a delivery accepted
      // now can be replayed freshly for up to twice the tolerance.
      const expiresAt = new Date(now.getTime() + 2 * toleranceSec * 1000 + EXPIRY_MARGIN_MS);
      const record = { source, deliveryId, signature, seenAt: now, expiresAt };
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await model.create(record);
          return true;
        } catch (error) {
          if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
        }
        // The duplicate may be an expired record the TTL monitor (or a server without TTL
        // indexes) has not removed yet: drop those once and try again.
        const dropped = await model.deleteMany({
          source,
          $or: [{ deliveryId }, { signature }],
          expiresAt: { $lte: now },
        });
        if (dropped.deletedCount === 0) return false;
      }
      return false;
    },
    async release(source, deliveryId) {
      await model.deleteOne({ source, deliveryId });
    },
  };
}
