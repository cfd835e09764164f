import { buildOperationContext } from '@apollo/gateway';
import { operationFromDocument, type Operation } from '@apollo/federation-internals';
import type { PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import { Kind, type DocumentNode } from 'graphql';
import { compileShaper, type CompiledShaper } from './compileShaper';
import type { GatewayInternals } from './gatewayInternals';

/** Everything about an operation that does not change between its requests. */
export interface PreparedOperation {
  queryPlan: QueryPlan;
  /** The operation as Apollo's `executeQueryPlan` builds it on every request. */
  operation: Operation;
  operationContext: ReturnType<typeof buildOperationContext>;
  /** Undefined when the operation selects introspection fields (Apollo's shaping then). */
  shaper: CompiledShaper | undefined;
}

/** True for plans only Apollo's executor runs: `@defer` and subscriptions. */
function needsApolloExecutor(node: PlanNode | SubscriptionNode | undefined): boolean {
  if (!node) return false;
  switch (node.kind) {
    case 'Defer':
    case 'Subscription':
      return true;
    case 'Sequence':
    case 'Parallel':
      return node.nodes.some(needsApolloExecutor);
    case 'Flatten':
      return needsApolloExecutor(node.node);
    case 'Condition':
      return needsApolloExecutor(node.ifClause) || needsApolloExecutor(node.elseClause);
    case 'Fetch':
      return (node.contextRewrites?.length ?? 0) > 0;
    default:
      return true;
  }
}

/**
 * Plans an operation with the gateway's own query planner (exactly as `ApolloGateway`'s executor
 * does) and compiles its response shaper. Returns undefined for plans the fast executor leaves to
 * Apollo's; throws what planning throws (the caller then lets Apollo's executor answer).
 */
export function prepareOperation(
  internals: GatewayInternals,
  document: DocumentNode,
  operationName: string | undefined,
): PreparedOperation | undefined {
  const operationContext = buildOperationContext({
    schema: internals.schema,
    operationDocument: document,
    ...(operationName !== undefined && { operationName }),
  });
  const gateway = internals as GatewayInternals & {
    recursiveSelectionsLimitDisabled?: boolean;
    nonLocalSelectionsLimitDisabled?: boolean;
  };
  const planned = operationFromDocument(internals.apiSchema, document, {
    ...(operationName !== undefined && { operationName }),
  });
  const queryPlan = internals.queryPlanner.buildQueryPlan(planned, {
    recursiveSelectionsLimitDisabled: gateway.recursiveSelectionsLimitDisabled ?? false,
    nonLocalSelectionsLimitDisabled: gateway.nonLocalSelectionsLimitDisabled ?? false,
  });
  if (needsApolloExecutor(queryPlan.node)) return undefined;
  const operation = operationFromDocument(
    internals.apiSchema,
    {
      kind: Kind.DOCUMENT,
      definitions: [operationContext.operation, ...Object.values(operationContext.fragments)],
    },
    { validate: false },
  );
  return { queryPlan, operation, operationContext, shaper: compileShaper(operation) };
}
