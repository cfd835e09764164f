import { z } from 'zod';
import { ConfigError } from './parseConfig';
import { booleanFlag } from './sharedEnv';

/** Environment of a subgraph's trust in the gateway; each subgraph role's schema extends it. */
export const subgraphSecurityEnvShape = {
  /** The gateway's GATEWAY_SIGNING_SECRET: requests must carry its HMAC signature. */
  GATEWAY_SIGNING_SECRET: z.string().min(16).optional(),
  /** Production only: serve unsigned requests anyway (a private network, a mesh doing mTLS). */
  SUBGRAPH_ALLOW_UNSIGNED: booleanFlag.default(false),
};

/**
 * The secret a subgraph checks gateway signatures with. In production a subgraph must not serve
 * unsigned requests: a missing secret is a configuration error unless explicitly allowed.
 */
export function subgraphGatewaySecret(parsed: {
  NODE_ENV: string;
  GATEWAY_SIGNING_SECRET?: string | undefined;
  SUBGRAPH_ALLOW_UNSIGNED: boolean;
}): string | undefined {
  if (
    parsed.NODE_ENV === 'production' &&
    !parsed.GATEWAY_SIGNING_SECRET &&
    !parsed.SUBGRAPH_ALLOW_UNSIGNED
  ) {
    throw new ConfigError([
      "GATEWAY_SIGNING_SECRET: required in production (the gateway's signing secret), or set SUBGRAPH_ALLOW_UNSIGNED=true (got: null)",
    ]);
  }
  return parsed.GATEWAY_SIGNING_SECRET;
}
