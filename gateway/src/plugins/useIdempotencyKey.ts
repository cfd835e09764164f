import type { ApolloServerPlugin } from '@apollo/server';
import {
  graphqlError,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAY_HEADER,
  isIdempotencyKey,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from '../../../lib/graphql';
import type { GatewayContext } from '../context';

/**
 * The client side of safe retries: refuses a malformed `Idempotency-Key` header (anything but 1–200
 * printable ASCII characters) with BAD_USER_INPUT (HTTP 400) before any subgraph is called, and
 * marks a response that subgraphs replayed from an earlier request with the same key
 * (`extensions.idempotentReplay: true` and the `Idempotent-Replay: true` header). The data source
 * (createDataSource.ts) forwards the key with every subgraph fetch of a mutation.
 */
export function useIdempotencyKey(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      const key = request.http?.headers.get(IDEMPOTENCY_KEY_HEADER);
      if (key === undefined) return;
      return {
        async didResolveOperation() {
          if (isIdempotencyKey(key)) return;
          throw graphqlError(
            'BAD_USER_INPUT',
            `Idempotency-Key: expected 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
            { field: 'Idempotency-Key', http: { status: 400 } },
          );
        },
        async willSendResponse({ contextValue, response }) {
          if (!contextValue.idempotentReplay) return;
          response.http.headers.set(IDEMPOTENT_REPLAY_HEADER, 'true');
          if (response.body.kind === 'single') {
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, idempotentReplay: true };
          }
        },
      };
    },
  };
}
