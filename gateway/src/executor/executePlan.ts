import type { GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { applyRewrites } from '@apollo/gateway/dist/dataRewrites';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge';
import { evaluateCondition, type FetchNode, type PlanNode } from '@apollo/query-planner';
import type {
  GatewayExecutionResult,
  GatewayGraphQLRequestContext,
} from '@apollo/server-gateway-interface';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { moveIntoCursor, selectRepresentation, type Cursor, type Data } from './cursor';
import { downstreamServiceError, lazyErrorPath } from './downstreamErrors';
import type { PreparedOperation } from './prepareOperation';
import { shapeWithApollo } from './shapeWithApollo';

interface ExecutionContext {
  prepared: PreparedOperation;
  services: Record<string, { dataSource: GraphQLDataSource }>;
  requestContext: GatewayGraphQLRequestContext;
  supergraphSchema: GraphQLSchema;
  errors: unknown[];
}

/**
 * Executes a prepared query plan as Apollo's `executeQueryPlan` does (same fetches, merges,
 * entity representations, rewrites and downstream errors, reusing its helpers), minus what costs
 * on every request: it rebuilds the operation from the document, opens OpenTelemetry spans and
 * usage-reporting trace nodes for every plan node, and re-interprets the operation to shape the
 * result, where this runs the operation's compiled shaper (see compileShaper.ts).
 */
export async function executePlan(
  prepared: PreparedOperation,
  services: ExecutionContext['services'],
  requestContext: GatewayGraphQLRequestContext,
  supergraphSchema: GraphQLSchema,
): Promise<{ result: GatewayExecutionResult; compiled: boolean }> {
  const context: ExecutionContext = {
    prepared,
    services,
    requestContext,
    supergraphSchema,
    errors: [],
  };
  const unfilteredData = Object.create(null) as Data;
  const root = prepared.queryPlan.node as PlanNode | undefined;
  if (root) {
    await executeNode(context, root, {
      path: [],
      data: unfilteredData,
      fullResult: unfilteredData,
    });
  }
  const errors = context.errors as GraphQLError[];
  const variables = requestContext.request.variables ?? {};
  const shaped = prepared.shaper?.(unfilteredData, variables);
  if (shaped) {
    return {
      result: errors.length === 0 ? { data: shaped } : { errors, data: shaped },
      compiled: true,
    };
  }
  // Off the happy path (or an operation with introspection): Apollo's own shaping and errors.
  return { result: shapeWithApollo(prepared, unfilteredData, variables, errors), compiled: false };
}

async function executeNode(
  context: ExecutionContext,
  node: PlanNode,
  cursor: Cursor | undefined,
): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(context, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(context, child, cursor)));
      return;
    case 'Flatten':
      await executeNode(context, node.node, moveIntoCursor(cursor, node.path));
      return;
    case 'Fetch':
      try {
        await executeFetch(context, node, cursor);
      } catch (error) {
        context.errors.push(error);
      }
      return;
    case 'Condition': {
      const picked = evaluateCondition(
        node,
        context.prepared.operation.variableDefinitions,
        context.requestContext.request.variables,
      )
        ? node.ifClause
        : node.elseClause;
      if (picked) await executeNode(context, picked, cursor);
      return;
    }
    default:
      // Defer and Subscription plans never get here (see prepareOperation.ts).
      throw new Error(`unexpected plan node ${node.kind}`);
  }
}

async function executeFetch(
  context: ExecutionContext,
  fetch: FetchNode,
  cursor: Cursor,
): Promise<void> {
  const service = context.services[fetch.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities = Array.isArray(cursor.data)
    ? cursor.data.filter((entity) => entity !== null && entity !== undefined)
    : [cursor.data];
  if (entities.length < 1) return;
  const variables = Object.create(null) as Data;
  const provided = context.requestContext.request.variables;
  for (const name of fetch.variableUsages ?? []) {
    if (provided && Object.hasOwn(provided, name) && provided[name] !== undefined) {
      variables[name] = provided[name];
    }
  }
  if (!fetch.requires) {
    const received = await sendOperation(context, fetch, cursor, variables);
    if (received) applyRewrites(context.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }
  const representations: Data[] = [];
  const representationToEntity: number[] = [];
  entities.forEach((entity, index) => {
    const representation = selectRepresentation(context.supergraphSchema, entity, fetch.requires!);
    if (representation && representation.__typename) {
      applyRewrites(context.supergraphSchema, fetch.inputRewrites, representation);
      representations.push(representation);
      representationToEntity.push(index);
    }
  });
  if (representations.length < 1) return;
  if ('representations' in variables) {
    throw new Error(`Variables cannot contain key "representations"`);
  }
  const received = await sendOperation(context, fetch, cursor, { ...variables, representations });
  if (!received) return;
  const receivedEntities = received._entities;
  if (!Array.isArray(receivedEntities)) {
    throw new Error(`Expected "data._entities" in response to be an array`);
  }
  if (receivedEntities.length !== representations.length) {
    throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  }
  // Apollo iterates over `entities` here (not `representations`): same bound, kept as is.
  for (let i = 0; i < entities.length; i++) {
    const receivedEntity = receivedEntities[i] as Data | null | undefined;
    const existing = entities[representationToEntity[i]!];
    if (receivedEntity && !receivedEntity.__typename) {
      receivedEntity.__typename = (existing as Data | undefined)?.__typename;
    }
    applyRewrites(context.supergraphSchema, fetch.outputRewrites, receivedEntity as Data);
    deepMerge(existing, receivedEntity);
  }
}

async function sendOperation(
  context: ExecutionContext,
  fetch: FetchNode,
  cursor: Cursor,
  variables: Data,
): Promise<Data | null | undefined> {
  const { requestContext } = context;
  const response = await context.services[fetch.serviceName]!.dataSource.process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    ...(fetch.operationDocumentNode && { document: fetch.operationDocumentNode }),
    pathInIncomingRequest: cursor.path,
  });
  if (response.errors) {
    const errorPath = lazyErrorPath(fetch, cursor);
    context.errors.push(
      ...response.errors.map((error) =>
        downstreamServiceError(error, fetch.serviceName, errorPath),
      ),
    );
    if (!response.extensions?.ftv1) {
      const paths = response.errors.map((error) => ({
        subgraph: fetch.serviceName,
        path: error.path,
      }));
      const metrics = requestContext.metrics as { nonFtv1ErrorPaths?: unknown[] };
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...paths);
      else metrics.nonFtv1ErrorPaths = paths;
    }
  }
  return response.data as Data | null | undefined;
}
