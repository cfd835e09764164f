import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';
import { rateLimitedError, type OperationRateLimiter } from '../rateLimits';

/**
 * Counts each HTTP operation against its client's limit for its type (query, mutation,
 * subscription) once it is resolved, and refuses it over the limit: 429 `RATE_LIMITED` with
 * `Retry-After`. Operations without a `rateLimitKey` in their context (those run for graphql-ws
 * sockets, counted when subscribed) are not counted again.
 */
export function useRateLimits(limiter: OperationRateLimiter): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const key = contextValue.rateLimitKey;
      if (key === undefined) return;
      return {
        async didResolveOperation({ operation }) {
          if (!operation) return;
          const refusal = await limiter.consume(operation.operation, key);
          if (refusal) throw rateLimitedError(refusal);
        },
      };
    },
  };
}
