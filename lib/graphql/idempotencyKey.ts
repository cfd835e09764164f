import { createHash } from 'node:crypto';

/** HTTP header carrying a client's idempotency key (lower case, as Node and Apollo's HeaderMap see it). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Response header set to `true` when a response is the stored result of an earlier request. */
export const IDEMPOTENT_REPLAY_HEADER = 'idempotent-replay';

/** Longest accepted idempotency key, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

// Printable ASCII (space to tilde): what survives every HTTP stack unchanged.
const IDEMPOTENCY_KEY = new RegExp(`^[\\x20-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);

/** Whether `value` is a valid idempotency key: 1–200 printable ASCII characters. */
export function isIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && IDEMPOTENCY_KEY.test(value);
}

/** What one stored idempotent result is keyed by. */
export interface IdempotentRequest {
  /** The client's `Idempotency-Key`. */
  key: string;
  /** Who sent it (e.g. the JWT issuer and subject); one caller cannot replay another's key. */
  scope: string;
  /** Operation text exactly as received (the gateway's generated subgraph fetch). */
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** JSON with object keys sorted, so the same variables hash alike whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * sha256 of the operation: its text, name and canonical variables. One client mutation can reach
 * a subgraph as several fetches (the mutation and entity fetches); each is recorded on its own.
 */
export function operationHash(request: Omit<IdempotentRequest, 'key' | 'scope'>): string {
  return sha256(
    canonicalJson([request.query, request.operationName ?? null, request.variables ?? {}]),
  );
}

/** Id of the stored record: sha256 of (scope, key, {@link operationHash}). */
export function idempotencyRecordId(request: IdempotentRequest): string {
  return sha256(canonicalJson([request.scope, request.key, operationHash(request)]));
}

/**
 * The caller a key belongs to, from the gateway's `x-gateway-claims` header (base64url JSON of the
 * verified JWT claims): `iss` and `sub`, or '' for anonymous callers or a missing/garbled header.
 */
export function idempotencyScope(claimsHeader: string | undefined | null): string {
  if (!claimsHeader) return '';
  try {
    const claims = JSON.parse(Buffer.from(claimsHeader, 'base64url').toString('utf8')) as unknown;
    if (claims === null || typeof claims !== 'object') return '';
    const { iss, sub } = claims as { iss?: unknown; sub?: unknown };
    return sub === undefined ? '' : canonicalJson([iss ?? null, sub]);
  } catch {
    return '';
  }
}
