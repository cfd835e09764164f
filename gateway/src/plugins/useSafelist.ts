import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { graphqlError } from '../../../lib/graphql';

/**
 * Safelist mode: only operations whose sha256 (the APQ hash, or the hash of the query text) is
 * listed may run; anything else is refused with FORBIDDEN before planning.
 */
export function useSafelist(hashes: readonly string[]): ApolloServerPlugin {
  const allowed = new Set(hashes);
  return {
    async requestDidStart() {
      return {
        async didResolveSource({ source, request }) {
          const persisted = (
            request.extensions?.persistedQuery as { sha256Hash?: string } | undefined
          )?.sha256Hash;
          const hash = persisted ?? createHash('sha256').update(source).digest('hex');
          if (!allowed.has(hash)) {
            throw graphqlError('FORBIDDEN', 'operation is not in the safelist', {
              http: { status: 403 },
            });
          }
        },
      };
    },
  };
}
