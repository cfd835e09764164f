import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../../../lib/logging';
import type { GatewayContext } from '../context';
import { isPublicErrorCode } from './useErrorMasking';

/**
 * Logs each unexpected error (no public `extensions.code`) once, with the request's correlation
 * id, and hands that id to the client in `extensions.correlationId` of the (masked) error, so a
 * report from a user leads to the log line.
 */
export function useUnexpectedErrors(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      let unexpected = false;
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            if (isPublicErrorCode(error.extensions?.code)) continue;
            unexpected = true;
            logger.error(
              {
                err: error.originalError ?? error,
                correlationId: contextValue.correlationId,
                operationName,
              },
              'unexpected error in a GraphQL request',
            );
          }
        },
        async willSendResponse({ response }) {
          if (!unexpected || response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            if (isPublicErrorCode(error.extensions?.code)) continue;
            (error as { extensions?: Record<string, unknown> }).extensions = {
              ...error.extensions,
              correlationId: contextValue.correlationId,
            };
          }
        },
      };
    },
  };
}
