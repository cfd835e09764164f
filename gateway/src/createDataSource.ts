import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context';

/** A subgraph data source that forwards the request's correlation id. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if ('correlationId' in context && context.correlationId) {
      request.http?.headers.set('x-correlation-id', context.correlationId);
    }
  }
}
