import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
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
 * but invalid or expired one is refused with UNAUTHENTICATED (HTTP 401), so a client never
 * silently proceeds as anonymous with a broken token.
 */
export function createJwtVerifier(options: JwtOptions): VerifyToken {
  const sources = [options.secret, options.jwksUrl, options.jwks].filter(Boolean).length;
  if (sources !== 1) {
    throw new Error(`expected exactly one of secret, jwksUrl or jwks, but got: ${sources}`);
  }
  const key: Uint8Array | JWTVerifyGetKey = options.secret
    ? new TextEncoder().encode(options.secret)
    : options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl))
      : createLocalJWKSet(options.jwks as never);
  return async (authorization) => {
    if (!authorization) return null;
    const token = authorization.replace(/^Bearer\s+/i, '');
    try {
      const { payload } = await jwtVerify(token, key as Uint8Array, {
        ...(options.issuer && { issuer: options.issuer }),
        ...(options.audience && { audience: options.audience }),
      });
      return payload as Record<string, unknown>;
    } catch (error) {
      throw graphqlError('UNAUTHENTICATED', `invalid token: ${(error as Error).message}`);
    }
  };
}
