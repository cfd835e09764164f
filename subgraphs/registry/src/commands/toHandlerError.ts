import { GraphQLError } from 'graphql';
import { PermanentHandlerError } from '../../../../lib/events';

// Registry rule violations: the same command will fail the same way on every attempt.
const PERMANENT_CODES = new Set(['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND']);

/**
 * Turns a registry rule error (a GraphQL error with a BAD_USER_INPUT, CONFLICT or NOT_FOUND code)
 * into a {@link PermanentHandlerError} whose message says which command failed and why, so the
 * consumer framework dead-letters it at once; anything else (MongoDB down, …) is returned as is
 * and retried.
 */
export function toHandlerError(error: unknown, what: string): unknown {
  if (error instanceof GraphQLError && PERMANENT_CODES.has(String(error.extensions.code))) {
    return new PermanentHandlerError(`${what}: ${error.message}`, { cause: error });
  }
  return error;
}
