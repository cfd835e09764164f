import { createHmac } from 'node:crypto';

/** Headers the gateway adds to every subgraph request when a signing secret is configured. */
export const SIGNATURE_HEADERS = {
  claims: 'x-gateway-claims',
  timestamp: 'x-gateway-timestamp',
  signature: 'x-gateway-signature',
} as const;

/**
 * Signs the verified claims for a subgraph: `claims` is base64url(JSON), `signature` is
 * hex HMAC-SHA256(secret, `${timestamp}.${claims}`). Subgraphs started with `gatewaySecret`
 * (lib/graphql startSubgraphServer) accept only requests carrying a valid, fresh signature.
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
