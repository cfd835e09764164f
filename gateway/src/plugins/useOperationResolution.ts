import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode } from 'graphql';

/**
 * Why no operation of `document` can run: the message graphql-js gives, with Apollo Server's
 * `OPERATION_RESOLUTION_FAILURE` code and HTTP 400 (a request error, not a server one).
 */
export function operationResolutionError(
  document: DocumentNode,
  operationName: string | null | undefined,
): GraphQLError {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const message = operationName
    ? `Unknown operation named "${operationName}".`
    : operations.length > 1
      ? 'Must provide operation name if query contains multiple operations.'
      : 'Must provide an operation.';
  return new GraphQLError(message, {
    extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
  });
}

/**
 * Refuses a request whose operation cannot be resolved (unknown `operationName`, several
 * operations and none named) before it reaches `@apollo/gateway`, whose executor throws on it: Apollo
 * Server would answer that 500 and production masking would hide the reason.
 */
export function useOperationResolution(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) throw operationResolutionError(document, request.operationName);
        },
      };
    },
  };
}
