import { computeResponse } from '@apollo/gateway/dist/resultShaping';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import { executeSync, GraphQLError, Kind } from 'graphql';
import type { Data } from './cursor';
import type { PreparedOperation } from './prepareOperation';

/** Apollo's `computeResponse` and what `executeQueryPlan` makes of its errors. */
export function shapeWithApollo(
  prepared: PreparedOperation,
  unfilteredData: Data,
  variables: Record<string, unknown>,
  errors: GraphQLError[],
): GatewayExecutionResult {
  let data: Data | null | undefined;
  try {
    const computed = computeResponse({
      operation: prepared.operation,
      variables,
      input: unfilteredData,
      introspectionHandling: (selection) => executeIntrospection(prepared, selection, variables),
    });
    data = computed.data;
    if (errors.length === 0 && computed.errors.length > 0) {
      return { extensions: { valueCompletion: computed.errors }, data };
    }
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) {
      return { errors: [new GraphQLError(error.message, { originalError: error })] };
    }
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
  return errors.length === 0 ? { data } : { errors, data };
}

/** Introspection fields are answered by the API schema, as Apollo's executor does. */
function executeIntrospection(
  prepared: PreparedOperation,
  selection: Parameters<Parameters<typeof computeResponse>[0]['introspectionHandling']>[0],
  variables: Record<string, unknown>,
): unknown {
  const field = selection.expandFragments().toSelectionNode();
  const definitions = prepared.operationContext.operation.variableDefinitions;
  const { data } = executeSync({
    schema: prepared.operationContext.schema,
    document: {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          kind: Kind.OPERATION_DEFINITION,
          operation: 'query' as never,
          ...(definitions && { variableDefinitions: definitions }),
          selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
        },
      ],
    },
    rootValue: {},
    variableValues: variables,
  });
  const name = field.kind === Kind.FIELD ? (field.alias?.value ?? field.name.value) : '';
  return data ? data[name] : undefined;
}
