import { authorizationHeader } from '../state/token';

/** A GraphQL error as the gateway returns it (always with `extensions.code`). */
export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string };
}

/** Thrown when an operation answers with errors (or the gateway is unreachable). */
export class BoardRequestError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'BoardRequestError';
    this.code = code;
  }
}

/** Same origin as the page: the board is served by the gateway it talks to. */
export const GRAPHQL_PATH = '/graphql';

/**
 * Posts an operation to the gateway with the user's token and returns its data; errors (even
 * alongside partial data) throw, so a view shows them instead of half a table.
 */
export async function graphqlRequest<D>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<D> {
  const authorization = authorizationHeader();
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization && { authorization }),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new BoardRequestError(`gateway unreachable: ${String(error)}`, 'NETWORK_ERROR');
  }
  let body: { data?: D | null; errors?: GraphQLErrorShape[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new BoardRequestError(`gateway answered ${response.status} without JSON`, 'BAD_RESPONSE');
  }
  const first = body.errors?.[0];
  if (first) throw new BoardRequestError(first.message, first.extensions?.code ?? 'UNKNOWN');
  if (!body.data) throw new BoardRequestError('empty response', 'BAD_RESPONSE');
  return body.data;
}
