import { GraphQLError } from 'graphql';

/** The closed set of error codes clients can rely on (`extensions.code`). */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'DOWNSTREAM_SERVICE_ERROR',
  'GATEWAY_TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
};

/** Creates a GraphQL error with a code from {@link ERROR_CODES} and optional details. */
export function graphqlError(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
) {
  const status = HTTP_STATUS[code];
  return new GraphQLError(message, {
    extensions: { code, ...details, ...(status && { http: { status } }) },
  });
}

/** Bad input, naming the offending field (e.g. `input.version`). */
export const badUserInput = (field: string, message: string) =>
  graphqlError('BAD_USER_INPUT', `${field}: ${message}`, { field });

/** A thing that does not exist. */
export const notFound = (what: string, id: string) =>
  graphqlError('NOT_FOUND', `${what} ${id} not found`, { id });

/** A state conflict such as a stale expected version. */
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  graphqlError('CONFLICT', message, details);
