import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES } from '../../../lib/graphql';

const PUBLIC_CODES = new Set<string>([
  ...ERROR_CODES.filter((code) => code !== 'INTERNAL_SERVER_ERROR'),
  // Apollo Server's own request errors are safe to show as they are.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/** Whether errors of this code are shown as they are (anything else is unexpected). */
export const isPublicErrorCode = (code: unknown) =>
  typeof code === 'string' && PUBLIC_CODES.has(code);

/**
 * Creates Apollo Server's `formatError` for production: errors whose code is in the public set
 * keep their message; any other error (unexpected exceptions, subgraph internals) becomes
 * "Internal server error". The code is kept either way and stack traces never leave the gateway.
 */
export function createErrorMasking(mask: boolean) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    if (!mask || PUBLIC_CODES.has(code))
      return { ...formatted, extensions: { ...extensions, code } };
    return {
      message: 'Internal server error',
      ...(formatted.path && { path: formatted.path }),
      extensions: { code },
    };
  };
}
