import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers the gateway adds to every subgraph request when a signing secret is configured. */
export const SIGNATURE_HEADERS = {
  claims: 'x-gateway-claims',
  timestamp: 'x-gateway-timestamp',
  signature: 'x-gateway-signature',
} as const;

/**
 * Signs the verified claims for a subgraph: `claims` is base64url(JSON), `signature` is
 * hex HMAC-SHA256(secret, `${timestamp}.${claims}`). Subgraphs started with `gatewaySecret`
 * (startSubgraphServer) accept only requests carrying a valid, fresh signature
 * ({@link isSignedByGateway}); a role calling another subgraph directly signs the same way.
 */
export function signClaims(
  secret: string,
  claims: Record<string, unknown> | undefined,
  now = Date.now(),
): Record<string, string> {
  const encoded = Buffer.from(JSON.stringify(claims ?? {})).toString('base64url');
  const timestamp = String(now);
  const signature = createHmac('sha256', secret).update(`${timestamp}.${encoded}`).digest('hex');
  return {
    [SIGNATURE_HEADERS.claims]: encoded,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.signature]: signature,
  };
}

/** How old a signature may be. */
const FRESH_MS = 5 * 60_000;

/** True when the headers carry a valid signature from no more than 5 minutes ago. */
export function isSignedByGateway(
  secret: string,
  header: (name: string) => string | undefined,
  now = Date.now(),
): boolean {
  const claims = header(SIGNATURE_HEADERS.claims) ?? '';
  const timestamp = header(SIGNATURE_HEADERS.timestamp) ?? '';
  const signature = Buffer.from(header(SIGNATURE_HEADERS.signature) ?? '', 'hex');
  const expected = createHmac('sha256', secret).update(`${timestamp}.${claims}`).digest();
  const fresh = Math.abs(now - Number(timestamp)) < FRESH_MS;
  return fresh && signature.length === expected.length && timingSafeEqual(signature, expected);
}
