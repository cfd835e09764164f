import { HeaderMap } from '@apollo/server';
import { graphqlError } from '../../../lib/graphql';
import type { RateLimitRefusal } from './createOperationRateLimiter';

/**
 * The refusal of an operation over its client's limit: `RATE_LIMITED`, HTTP 429 with
 * `Retry-After` in seconds (Apollo Server applies `extensions.http`; sockets drop it).
 */
export function rateLimitedError(refusal: RateLimitRefusal) {
  const error = graphqlError(
    'RATE_LIMITED',
    `too many ${refusal.operation} operations: limit ${refusal.limit} per ${refusal.durationSeconds} s, retry in ${refusal.retryAfterSeconds} s`,
    {
      operation: refusal.operation,
      retryAfterSeconds: refusal.retryAfterSeconds,
    },
  );
  error.extensions.http = {
    status: 429,
    headers: new HeaderMap([['retry-after', String(refusal.retryAfterSeconds)]]),
  };
  return error;
}
