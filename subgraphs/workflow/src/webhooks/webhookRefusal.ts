/**
 * Why an inbound delivery was refused (stored as the delivery's `reason`):
 * - `MISSING_SIGNATURE`: no timestamp or signature header, or a timestamp that is not Unix seconds;
 * - `BAD_SIGNATURE`: the signature is not the source's HMAC of `<timestamp>.<body>`;
 * - `STALE_TIMESTAMP`: the signed timestamp is outside the source's tolerance window;
 * - `MISSING_DELIVERY_ID`: no usable delivery id header;
 * - `REPLAYED`: this delivery id (or this signed timestamp and body) was already accepted;
 * - `BODY_TOO_LARGE`: the body exceeds the source's limit (refused before it is read whole);
 * - `INVALID_BODY`: the body is not JSON;
 * - `NO_RUN_ID`: a `signal` source found no run id in the header or body;
 * - `RUN_REFUSED`: the run command refused the start or signal (its code and message follow);
 * - `UNAVAILABLE`: the replay record could not be written (MongoDB), so nothing was done.
 */
export const REFUSAL_REASONS = [
  'MISSING_SIGNATURE',
  'BAD_SIGNATURE',
  'STALE_TIMESTAMP',
  'MISSING_DELIVERY_ID',
  'REPLAYED',
  'BODY_TOO_LARGE',
  'INVALID_BODY',
  'NO_RUN_ID',
  'RUN_REFUSED',
  'UNAVAILABLE',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A refused inbound delivery: the HTTP answer and the reason recorded in the log. */
export class WebhookRefusal extends Error {
  override readonly name = 'WebhookRefusal';
  constructor(
    readonly reason: RefusalReason,
    readonly status: number,
    /** `extensions.code` of the JSON error answered. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status and error code of each reason (`RUN_REFUSED` takes the command's). */
export function refusal(reason: Exclude<RefusalReason, 'RUN_REFUSED'>, message: string) {
  switch (reason) {
    case 'MISSING_SIGNATURE':
    case 'BAD_SIGNATURE':
    case 'STALE_TIMESTAMP':
      return new WebhookRefusal(reason, 401, 'UNAUTHENTICATED', message);
    case 'MISSING_DELIVERY_ID':
    case 'NO_RUN_ID':
      return new WebhookRefusal(reason, 400, 'BAD_USER_INPUT', message);
    case 'INVALID_BODY':
      return new WebhookRefusal(reason, 400, 'BAD_REQUEST', message);
    case 'BODY_TOO_LARGE':
      return new WebhookRefusal(reason, 413, 'BAD_REQUEST', message);
    case 'REPLAYED':
      return new WebhookRefusal(reason, 409, 'CONFLICT', message);
    case 'UNAVAILABLE':
      return new WebhookRefusal(reason, 503, 'SERVICE_UNAVAILABLE', message);
    default:
      return unreachable(reason);
  }
}

function unreachable(value: never): never {
  throw new Error(`unexpected refusal reason: ${String(value)}`);
}
