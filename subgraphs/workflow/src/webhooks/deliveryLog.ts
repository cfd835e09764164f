/** One HTTP attempt of a webhook delivery. */
export interface DeliveryAttempt {
  at: Date;
  /** HTTP status, or undefined when no answer came (network error, timeout, refused). */
  status?: number;
  durationMs: number;
  error?: string;
  /** Refusal summaries only: the delivery id the refused request claimed (unverified, truncated). */
  deliveryId?: string;
}

/** Where a delivery stands. */
export type DeliveryState = 'PENDING' | 'RETRYING' | 'SUCCEEDED' | 'FAILED' | 'REFUSED';

/** A webhook delivery, inbound (a source called us) or outbound (`webhook.call`). */
export interface DeliveryRecord {
  /** Inbound: the sender's delivery id; outbound: `<runId>/<stepId>/<step attempt>`. */
  deliveryId: string;
  direction: 'INBOUND' | 'OUTBOUND';
  /** Inbound: the configured source name; outbound: the URL's host. */
  endpoint: string;
  url?: string;
  runId?: string;
  stepId?: string;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  nextRetryAt?: Date;
  /** Why an inbound delivery was refused, or the last outbound error. */
  reason?: string;
}

/**
 * Records deliveries as they happen (implemented over MongoDB by the webhooks module). Calls
 * must not fail the delivery itself: an implementation logs its own write errors.
 */
export interface DeliveryLog {
  /** Creates or replaces the record with this direction and id. */
  save(record: DeliveryRecord): Promise<void>;
}
