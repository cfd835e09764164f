import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../../../lib/logging';
import type { GatewayContext } from '../context';
import { isPublicErrorCode } from './useErrorMasking';

/**
 * Logs each unexpected error (no public `extensions.code`) once, with the request's correlation
 * id. When errors are masked (production), the masked error carries that id in
 * `extensions.correlationId`, so a report from a user leads to the log line; unmasked, the
 * response stays exactly what Apollo answers.
 */
export function useUnexpectedErrors(
  logger: Logger,
  { masked }: { masked: boolean },
): ApolloServerPlugin<GatewayContext> {
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
          if (!masked || !unexpected || response.body.kind !== 'single') return;
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
