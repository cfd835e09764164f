import type { ApolloGateway } from '@apollo/gateway';
import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
} from '@apollo/server-gateway-interface';
import { getVariableValues, type DocumentNode } from 'graphql';
import { executePlan } from './executePlan';
import { gatewayInternals, type GatewayInternals } from './gatewayInternals';
import { prepareOperation, type PreparedOperation } from './prepareOperation';

/**
 * How a request was executed: `compiled` (fast executor alone: compiled shaper, or a variable
 * coercion error), `shaped-by-apollo` (fast executor, then Apollo's result shaping: introspection
 * or data off the happy path), `apollo` (Apollo's executor: see {@link createFastGateway}).
 */
export type ExecutionPath = 'compiled' | 'shaped-by-apollo' | 'apollo';

/** Options of {@link createFastGateway}. */
export interface FastGatewayOptions {
  /** Called once per executed request with the path it took (tests, diagnostics). */
  onExecute?(path: ExecutionPath): void;
}

/** Header asking Apollo's executor for the query plan (outside production): left to Apollo. */
const QUERY_PLAN_HEADER = 'apollo-query-plan-experimental';

/**
 * Wraps an `ApolloGateway` for Apollo Server: same schema, plans and data sources, but operations
 * run on the fast executor (executePlan.ts). Each operation is planned and its result shaper
 * compiled once per parsed document (Apollo Server's document cache hands the same document to
 * every request of a query), where `ApolloGateway` rebuilds the operation on every request.
 * Requests the fast executor does not cover (`@defer`, usage-reporting traces, the query-plan
 * header, an operation that fails planning) are answered by Apollo's executor unchanged.
 */
export function createFastGateway(
  gateway: ApolloGateway,
  options: FastGatewayOptions = {},
): GatewayInterface {
  const onExecute = options.onExecute ?? (() => {});
  let internals: GatewayInternals | undefined;
  let prepared = new WeakMap<DocumentNode, Map<string, PreparedOperation | null>>();
  let apolloExecutor: GatewayExecutor | null = null;

  const lookup = (requestContext: GatewayGraphQLRequestContext, loaded: GatewayInternals) => {
    const { document, request } = requestContext;
    let byName = prepared.get(document);
    if (!byName) {
      byName = new Map();
      prepared.set(document, byName);
    }
    const key = request.operationName ?? '';
    let entry = byName.get(key);
    if (entry === undefined) {
      try {
        entry = prepareOperation(loaded, document, request.operationName ?? undefined) ?? null;
      } catch {
        // Apollo's executor reports the error (it plans the same operation the same way).
        entry = null;
      }
      byName.set(key, entry);
    }
    return entry;
  };

  const executor: GatewayExecutor = async (requestContext) => {
    const loaded = internals;
    const fallback = apolloExecutor;
    if (!fallback) throw new Error('expected a loaded gateway, but got none');
    if (
      !loaded ||
      requestContext.metrics.captureTraces ||
      requestContext.request.http?.headers.has(QUERY_PLAN_HEADER)
    ) {
      onExecute('apollo');
      return fallback(requestContext);
    }
    const operation = lookup(requestContext, loaded);
    if (!operation) {
      onExecute('apollo');
      return fallback(requestContext);
    }
    const definitions = operation.operationContext.operation.variableDefinitions;
    if (definitions && definitions.length > 0) {
      // The gateway coerces variables itself (Apollo Server leaves that to the executor).
      const { errors } = getVariableValues(
        loaded.schema,
        definitions,
        requestContext.request.variables ?? {},
      );
      if (errors) {
        onExecute('compiled');
        return { errors };
      }
    }
    const { result, compiled } = await executePlan(
      operation,
      loaded.serviceMap,
      requestContext,
      loaded.supergraphSchema,
    );
    onExecute(compiled ? 'compiled' : 'shaped-by-apollo');
    return result;
  };

  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    async load(options) {
      // Registered before load: the first schema is announced while loading. Plans and shapers
      // belong to one schema, so an update starts a new cache.
      const refresh = () => {
        prepared = new WeakMap();
        internals = gatewayInternals(gateway);
      };
      const unsubscribe = gateway.onSchemaLoadOrUpdate(() => {
        internals = undefined;
        try {
          refresh();
        } catch {
          // Checked loudly below, once load is done.
        }
      });
      try {
        apolloExecutor = (await gateway.load(options)).executor;
        refresh();
      } catch (error) {
        unsubscribe();
        throw error;
      }
      return { executor };
    },
    async stop() {
      const services = internals?.serviceMap ?? {};
      await gateway.stop();
      await Promise.all(
        Object.values(services).map(({ dataSource }) =>
          (dataSource as { close?(): Promise<void> }).close?.(),
        ),
      );
    },
  };
}
