import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  Kind,
  parse,
  type DocumentNode,
  type GraphQLFormattedError,
  type SelectionSetNode,
} from 'graphql';
import type { CircuitOpenError } from '../../lib/resilience';

/**
 * Which subgraph fetch failures count against its breaker: no answer (network errors, carried as
 * `cause` by the data source), timeouts, and 5xx answers. A 4xx or a GraphQL error in a 200 is the
 * subgraph answering, so it does not.
 */
export function isSubgraphFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const extensions = (error as { extensions?: Record<string, unknown> }).extensions;
  if (extensions?.code === 'GATEWAY_TIMEOUT') return true;
  if (extensions?.reason === 'UNREACHABLE') return true;
  const status = (extensions?.response as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number') return status >= 500;
  return error.cause !== undefined;
}

/** Response keys of an operation's root fields (through inline fragments). */
function rootKeys(selectionSet: SelectionSetNode): { key: string; name: string }[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD)
      return [{ key: selection.alias?.value ?? selection.name.value, name: selection.name.value }];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootKeys(selection.selectionSet);
    return [];
  });
}

/**
 * The answer of a subgraph whose breaker is open, given at once instead of a fetch: no data and one
 * `SERVICE_UNAVAILABLE` error per field the fetch would have filled (each root field, or each
 * entity of an `_entities` fetch), so the query plan goes on with the other subgraphs and the
 * client gets a partial result whose affected fields carry the error.
 */
export function circuitOpenResponse(
  subgraph: string,
  error: CircuitOpenError,
  options: GraphQLDataSourceProcessOptions,
): GatewayGraphQLResponse {
  const extensions = {
    code: 'SERVICE_UNAVAILABLE',
    subgraph,
    reason: 'CIRCUIT_OPEN',
    ...(error.nextAttemptAt && { retryAt: error.nextAttemptAt.toISOString() }),
  };
  const message = `subgraph ${subgraph} is unavailable (circuit open)`;
  let document: DocumentNode | undefined = 'document' in options ? options.document : undefined;
  try {
    document ??= options.request.query ? parse(options.request.query) : undefined;
  } catch {
    document = undefined;
  }
  const operation = document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return { errors: [{ message, extensions }] };
  const representations = options.request.variables?.representations;
  const errors: GraphQLFormattedError[] = rootKeys(operation.selectionSet).flatMap(
    ({ key, name }) =>
      name === '_entities' && Array.isArray(representations)
        ? representations.map((_, index) => ({ message, path: [key, index], extensions }))
        : [{ message, path: [key], extensions }],
  );
  return { errors: errors.length > 0 ? errors : [{ message, extensions }] };
}
