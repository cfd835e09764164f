import { generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan';
import { ERRORS, errorCodeDef } from '@apollo/federation-internals';
import type { FetchNode, ResponsePath } from '@apollo/query-planner';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Cursor } from './cursor';

/** Maps a subgraph error's path into the client's response (Apollo's lazy error path). */
export function lazyErrorPath(fetch: FetchNode, cursor: Cursor) {
  let hydrated: ResponsePath[] | undefined;
  return (errorPath: readonly (string | number)[] | undefined) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult, hydrated);
      }
      return [...(hydrated[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursor.path, ...errorPath] : undefined;
  };
}

/** A subgraph error as Apollo's executor reports it (code, `serviceName`). */
export function downstreamServiceError(
  original: GraphQLFormattedError,
  serviceName: string,
  errorPath: ReturnType<typeof lazyErrorPath>,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: original as Error,
    path: errorPath(original.path),
    extensions: { ...original.extensions, serviceName },
  };
  const codeDef = errorCodeDef(original);
  if (!codeDef && original.extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
