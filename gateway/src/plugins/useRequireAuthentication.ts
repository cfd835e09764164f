import type { ApolloServerPlugin } from '@apollo/server';
import { graphqlError } from '../../../lib/graphql';
import type { GatewayContext } from '../context';

/** Operation types that need a verified identity. */
export type ProtectedOperation = 'query' | 'mutation' | 'subscription';

/** The refusal of an anonymous operation, the same over HTTP (401) and WebSocket. */
export const authenticationRequired = (operation: ProtectedOperation) =>
  graphqlError('UNAUTHENTICATED', `${operation}s require authentication`);

/** Refuses the listed operation types without verified claims: UNAUTHENTICATED (HTTP 401). */
export function useRequireAuthentication(
  operations: readonly ProtectedOperation[],
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation && operations.includes(operation.operation) && !contextValue.claims) {
            throw authenticationRequired(operation.operation);
          }
        },
      };
    },
  };
}
