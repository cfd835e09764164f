import type { JWTVerifyGetKey } from 'jose';
import { graphqlError } from '../../../lib/graphql';

/** Options of {@link createJwtVerifier}: exactly one of `secret` or `jwksUrl`. */
export interface JwtOptions {
  /** HS256/384/512 shared secret. */
  secret?: string;
  /** URL of a JSON Web Key Set (RS*, ES*, EdDSA keys). */
  jwksUrl?: string;
  /** Inline JWKS (tests, air-gapped deployments). */
  jwks?: { keys: Record<string, unknown>[] };
  issuer?: string;
  audience?: string;
}

/** Verifies a bearer token; resolves the claims, or null when there is no token. */
export type VerifyToken = (
  authorization: string | undefined,
) => Promise<Record<string, unknown> | null>;

/**
 * Creates the gateway's JWT verifier (`jose`). A missing token gives null (anonymous); a present
 * but invalid or expired one is refused with UNAUTHENTICATED (HTTP 401) and the fixed message
 * `invalid token` or `token expired`, so a client never silently proceeds as anonymous with a
 * broken token.
 */
export function createJwtVerifier(options: JwtOptions): VerifyToken {
  const sources = [options.secret, options.jwksUrl, options.jwks].filter(Boolean).length;
  if (sources !== 1) {
    throw new Error(`expected exactly one of secret, jwksUrl or jwks, but got: ${sources}`);
  }
  // jose (80-odd modules) is loaded when a gateway with JWT configured starts, not by every one.
  const verifier = import('jose').then((jose) => ({
    jwtVerify: jose.jwtVerify,
    key: (options.secret
      ? new TextEncoder().encode(options.secret)
      : options.jwksUrl
        ? jose.createRemoteJWKSet(new URL(options.jwksUrl))
        : jose.createLocalJWKSet(options.jwks as never)) as Uint8Array | JWTVerifyGetKey,
  }));
  // Marked handled here; a failure (a malformed jwksUrl) still rejects every verification.
  verifier.catch(() => undefined);
  return async (authorization) => {
    if (!authorization) return null;
    const token = authorization.replace(/^Bearer\s+/i, '');
    const { jwtVerify, key } = await verifier;
    try {
      const { payload } = await jwtVerify(token, key as Uint8Array, {
        ...(options.issuer && { issuer: options.issuer }),
        ...(options.audience && { audience: options.audience }),
      });
      return payload as Record<string, unknown>;
    } catch (error) {
      // A fixed message: jose's own ones name its internals (`"alg" (Algorithm) Header Parameter
      // value not allowed`), which tell an attacker what was checked and how.
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw graphqlError('UNAUTHENTICATED', expired ? 'token expired' : 'invalid token');
    }
  };
}
