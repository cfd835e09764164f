import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { parseCacheControlHeader } from '@apollo/gateway/dist/datasources/parseCacheControlHeader';

/**
 * Restricts the operation's cache policy by a subgraph's `cache-control` answer, exactly as
 * Apollo's `RemoteGraphQLDataSource` does (no header: max-age 0, so the response is not cached).
 */
export function restrictCachePolicy(
  requestContext: GatewayGraphQLRequestContext,
  header: string | null,
): void {
  const policy = requestContext.overallCachePolicy as
    { restrict?(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void } | undefined;
  if (!policy || typeof policy.restrict !== 'function') return;
  const parsed = parseCacheControlHeader(header ?? undefined);
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
  const maxAge = parsed['max-age'];
  if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = Number(maxAge);
  if (parsed.private === true) hint.scope = 'PRIVATE';
  if (parsed.public === true) hint.scope = 'PUBLIC';
  policy.restrict(hint);
}
