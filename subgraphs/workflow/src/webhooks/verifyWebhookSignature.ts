import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Header carrying the sender's delivery id: unique per delivery of a source, the same on the
 * sender's retries of one delivery. A second delivery with an id already seen is a replay.
 */
export const DELIVERY_ID_HEADER = 'x-workflow-delivery-id';

/** What the signature check found wrong; `undefined` from {@link verifyWebhookSignature} means none. */
export type SignatureProblem = 'MISSING_SIGNATURE' | 'BAD_SIGNATURE' | 'STALE_TIMESTAMP';

/** Input of {@link verifyWebhookSignature}. */
export interface SignedRequest {
  secret: string;
  /** The timestamp header: Unix seconds. */
  timestamp: string | undefined;
  /** The signature header: `sha256=<64 hex digits>`. */
  signature: string | undefined;
  /** The body exactly as received: the signature covers these bytes, not a re-serialisation. */
  rawBody: Buffer;
  /** Accepted distance between the timestamp and `nowMs`, either way (seconds). */
  toleranceSec: number;
  nowMs: number;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP = /^\d{1,12}$/;

/**
 * The HMAC-SHA256 of `<timestamp>.<raw body>` over bytes: the same value as `signWebhook` (the
 * outbound `webhook.call`) gives for a UTF-8 body, without decoding a body that is not UTF-8.
 */
export function webhookDigest(secret: string, timestamp: string, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/**
 * Checks a delivery's signature, then its freshness. The signature is compared as bytes in
 * constant time (only its fixed, public length can show in timing); the timestamp check comes
 * after so an unsigned request is always reported as such, whatever its timestamp.
 */
export function verifyWebhookSignature(request: SignedRequest): SignatureProblem | undefined {
  const { timestamp, signature } = request;
  if (!timestamp || !signature || !TIMESTAMP.test(timestamp)) return 'MISSING_SIGNATURE';
  const hex = SIGNATURE.exec(signature.trim())?.[1];
  // A malformed header is compared against the digest anyway (as zeros): the work done does
  // not depend on how the forgery is shaped.
  const given = hex ? Buffer.from(hex, 'hex') : Buffer.alloc(32);
  const expected = webhookDigest(request.secret, timestamp, request.rawBody);
  if (!timingSafeEqual(given, expected) || !hex) return 'BAD_SIGNATURE';
  const skewSec = Math.abs(request.nowMs / 1000 - Number(timestamp));
  if (skewSec > request.toleranceSec) return 'STALE_TIMESTAMP';
  return undefined;
}
