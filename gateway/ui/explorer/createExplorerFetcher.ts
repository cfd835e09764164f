import { createGraphiQLFetcher, type Fetcher, type FetcherOpts } from '@graphiql/toolkit';
import { getOperationAST, parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

/**
 * The operation to run and its type. GraphiQL 4 passes no document AST, and its operation name
 * lags the editor by a parse: a name the text no longer has means the text's only operation.
 */
function operationOf(
  query: string,
  operationName: string | null | undefined,
): { name: string | undefined; subscription: boolean } {
  try {
    const document = parse(query);
    const operation =
      getOperationAST(document, operationName ?? undefined) ?? getOperationAST(document);
    return {
      name: operation ? operation.name?.value : (operationName ?? undefined),
      subscription: operation?.operation === 'subscription',
    };
  } catch {
    return { name: operationName ?? undefined, subscription: false };
  }
}

/**
 * Queries and mutations over HTTP POST, subscriptions over graphql-ws, both on this page's own
 * `/graphql` (the page is served by the gateway it explores). The headers typed in GraphiQL's
 * Headers tab go on every HTTP request and into the socket's `connection_init` payload, where the
 * gateway reads `Authorization` (gateway/src/startGateway.ts, `authenticate`); new headers open a
 * new socket, since a socket is authenticated once.
 */
export function createExplorerFetcher(location: Location): Fetcher {
  const sockets = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const http = createGraphiQLFetcher({
    url: `${location.origin}/graphql`,
    // The gateway answers single results (no @defer/@stream): plain JSON, no multipart parser.
    enableIncrementalDelivery: false,
  });
  let socket: { headers: string; client: Client } | undefined;
  const clientFor = (headers: FetcherOpts['headers']): Client => {
    const key = JSON.stringify(headers ?? {});
    if (socket?.headers !== key) {
      void socket?.client.dispose();
      socket = {
        headers: key,
        client: createClient({
          url: `${sockets}//${location.host}/graphql`,
          connectionParams: headers ?? {},
        }),
      };
    }
    return socket.client;
  };
  return (params, options) => {
    const operation = operationOf(params.query, params.operationName);
    const request = { ...params, operationName: operation.name ?? null };
    if (!operation.subscription) return http(request, options);
    // GraphiQL only displays results: wire-format errors (plain objects) are what it renders.
    return clientFor(options?.headers).iterate({
      query: params.query,
      ...(params.variables && { variables: params.variables }),
      ...(operation.name && { operationName: operation.name }),
    }) as ReturnType<Fetcher>;
  };
}
