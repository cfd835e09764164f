import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import type { Schema } from '@apollo/federation-internals';
import type { QueryPlanner } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';

/**
 * What the fast executor reads from an `ApolloGateway` 2.14 once it has loaded: its query
 * planner and schemas (so plans are the gateway's own), and its data sources. These are private
 * fields of @apollo/gateway (pinned with `~2.14`); {@link gatewayInternals} checks them at load.
 */
export interface GatewayInternals {
  queryPlanner: QueryPlanner;
  /** The supergraph (graphql-js), for requires and rewrites. */
  supergraphSchema: GraphQLSchema;
  /** The API schema (federation-internals), for operations and result shaping. */
  apiSchema: Schema;
  /** The API schema (graphql-js), for variable coercion. */
  schema: GraphQLSchema;
  serviceMap: Record<string, { dataSource: GraphQLDataSource }>;
}

/** The loaded internals of `gateway`; throws when this @apollo/gateway keeps them elsewhere. */
export function gatewayInternals(gateway: ApolloGateway): GatewayInternals {
  const internals = gateway as unknown as Partial<GatewayInternals>;
  const missing = (
    ['queryPlanner', 'supergraphSchema', 'apiSchema', 'schema', 'serviceMap'] as const
  ).filter((key) => internals[key] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `expected a loaded @apollo/gateway 2.14 with ${missing.join(', ')}, but got none: the fast executor needs them`,
    );
  }
  return internals as GatewayInternals;
}
