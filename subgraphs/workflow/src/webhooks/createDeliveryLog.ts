import type { Logger } from '../../../../lib/logging';
import { deliveryKey, type WebhookDeliveryModel } from '../models/WebhookDelivery';
import type { DeliveryAttempt, DeliveryLog, DeliveryRecord } from './deliveryLog';
import type { RefusalReason } from './webhookRefusal';

/** Longest `reason` or attempt `error` stored: the text can come from a remote party. */
export const MAX_REASON_LENGTH = 500;
/** Longest claimed delivery id kept on a refusal summary (it is unverified input). */
const MAX_CLAIMED_ID_LENGTH = 128;

/** Options of {@link createDeliveryLog}. */
export interface DeliveryLogOptions {
  model: WebhookDeliveryModel;
  logger: Logger;
  /** Refused requests kept (newest) on one refusal summary. @default 20 */
  refusalSampleSize?: number;
  /** How long refusal summaries are kept. @default 7 days */
  refusalRetentionMs?: number;
}

/** Defaults of {@link DeliveryLogOptions}. */
export const defaultDeliveryLogOptions = {
  refusalSampleSize: 20,
  refusalRetentionMs: 7 * 24 * 60 * 60_000,
} satisfies Partial<DeliveryLogOptions>;

/** A request refused before its delivery id could be trusted (see {@link WebhookDeliveryLog}). */
export interface RefusedRequest {
  source: string;
  reason: RefusalReason;
  /** The HTTP status answered. */
  status: number;
  claimedDeliveryId?: string;
  at: Date;
  durationMs: number;
}

/** The MongoDB delivery log, plus the refusal summaries of inbound requests. */
export interface WebhookDeliveryLog extends DeliveryLog {
  /**
   * Counts a refused inbound request on the summary of its source, reason and minute
   * (`deliveryId` `refused/<reason>/<minute>`), keeping the newest few as attempts. Requests
   * refused before a delivery id is trusted (forged, stale, replayed, oversized) are counted,
   * never stored one by one: whoever sends them cannot grow the log faster than one document
   * per source, reason and minute, and cannot overwrite the record of a real delivery by
   * claiming its id. Like `save`, it never throws.
   */
  recordRefusal(request: RefusedRequest): Promise<void>;
}

const bounded = (text: string | undefined, max = MAX_REASON_LENGTH) =>
  text === undefined || text.length <= max ? text : `${text.slice(0, max - 1)}…`;

const boundedAttempt = (attempt: DeliveryAttempt): DeliveryAttempt => ({
  ...attempt,
  ...(attempt.error !== undefined && { error: bounded(attempt.error) }),
});

/** Creates the delivery log over the `webhook_deliveries` collection. */
export function createDeliveryLog(options: DeliveryLogOptions): WebhookDeliveryLog {
  const { model, logger } = options;
  const { refusalSampleSize, refusalRetentionMs } = { ...defaultDeliveryLogOptions, ...options };
  return {
    async save(record) {
      const now = new Date();
      const { deliveryId, direction, endpoint, state, attempts } = record;
      const unset = unsetMissing(record);
      try {
        await model.updateOne(
          { _id: deliveryKey(record) },
          {
            $set: {
              deliveryId,
              direction,
              endpoint,
              state,
              attempts: attempts.map(boundedAttempt),
              updatedAt: now,
              ...optional(record),
            },
            ...(Object.keys(unset).length > 0 && { $unset: unset }),
            $setOnInsert: { createdAt: now, count: 1 },
          },
          { upsert: true },
        );
      } catch (error) {
        logger.error({ err: error, deliveryId, direction, endpoint }, 'delivery log write failed');
      }
    },

    async recordRefusal({ source, reason, status, claimedDeliveryId, at, durationMs }) {
      const minute = at.toISOString().slice(0, 16);
      const deliveryId = `refused/${reason}/${minute}`;
      const attempt: DeliveryAttempt = {
        at,
        status,
        durationMs,
        error: reason,
        ...(claimedDeliveryId && { deliveryId: claimedDeliveryId.slice(0, MAX_CLAIMED_ID_LENGTH) }),
      };
      try {
        await model.updateOne(
          { _id: deliveryKey({ direction: 'INBOUND', endpoint: source, deliveryId }) },
          {
            $setOnInsert: {
              deliveryId,
              direction: 'INBOUND',
              endpoint: source,
              state: 'REFUSED',
              reason,
              createdAt: at,
              expiresAt: new Date(at.getTime() + refusalRetentionMs),
            },
            $set: { updatedAt: at },
            $inc: { count: 1 },
            $push: { attempts: { $each: [attempt], $slice: -refusalSampleSize } },
          },
          { upsert: true },
        );
      } catch (error) {
        logger.error({ err: error, source, reason }, 'delivery log write failed');
      }
    },
  };
}

/** The optional fields a record sets, bounded. */
function optional(record: DeliveryRecord) {
  return Object.fromEntries(
    Object.entries({
      url: record.url,
      runId: record.runId,
      stepId: record.stepId,
      nextRetryAt: record.nextRetryAt,
      reason: bounded(record.reason),
    }).filter(([, value]) => value !== undefined),
  );
}

/** A replaced record loses the optional fields the new one leaves out (`nextRetryAt` after a retry). */
function unsetMissing(record: DeliveryRecord) {
  const fields = ['url', 'runId', 'stepId', 'nextRetryAt', 'reason'] as const;
  return Object.fromEntries(
    fields.filter((field) => record[field] === undefined).map((field) => [field, ''] as const),
  );
}
