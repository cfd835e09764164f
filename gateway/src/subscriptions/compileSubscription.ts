import {
  getOperationAST,
  print,
  type DocumentNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { graphqlError } from '../../../lib/graphql';
import type { SubscriptionFieldConfig } from './fieldConfig';
import { HISTORY_HIDDEN_FIELDS, historyRootArguments } from './historyLoader';
import { SNAPSHOT_HIDDEN_FIELDS } from './snapshotLoader';
import { EventQueryError, toEventQuery, type EventQuery } from './toEventQuery';

/** Hidden alias naming the stream of each initial state. */
export const STREAM_ALIAS = '__feedStream';

/** A subscription operation rewritten into the queries that serve it. */
export interface CompiledSubscription {
  operation: OperationDefinitionNode;
  field: string;
  config: SubscriptionFieldConfig;
  fieldDefinition: GraphQLField<unknown, unknown>;
  /** One event by id (live deliveries). */
  eventQuery: EventQuery;
  /** A page of stored events (replays and gap filling); fields with a history only. */
  historyQuery?: EventQuery;
  /** The current state of the stream; fields with a snapshot only. */
  snapshotQuery?: EventQuery;
  /** The current states of every stream watched; many-stream fields only. */
  initialStatesQuery?: EventQuery;
  /** The event query printed: identical subscriptions share a feed. */
  printed: string;
}

/** Compiles subscription operations, each distinct (schema, document, operation) once. */
export type SubscriptionCompiler = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
) => CompiledSubscription | GraphQLError[];

function compile(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  fields: Record<string, SubscriptionFieldConfig>,
): CompiledSubscription | GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [graphqlError('BAD_USER_INPUT', 'operation not found in the document')];
  const root = operation.selectionSet.selections[0];
  const field = root?.kind === 'Field' ? root.name.value : undefined;
  const config = field === undefined ? undefined : fields[field];
  const fieldDefinition =
    field === undefined ? undefined : schema.getSubscriptionType()?.getFields()[field];
  if (!field || !config || !fieldDefinition) {
    return [
      graphqlError(
        'BAD_USER_INPUT',
        `subscription field ${field ?? '(none)'} is not served by this gateway`,
      ),
    ];
  }
  try {
    const eventQuery = toEventQuery(
      operation,
      document,
      config.eventQueryField,
      config.eventIdArgument ?? 'id',
    );
    // Only what the current supergraph serves: another one may lack these fields.
    const queryFields = schema.getQueryType()?.getFields() ?? {};
    const { history, snapshot, initialStates } = config;
    return {
      operation,
      field,
      config,
      fieldDefinition,
      eventQuery,
      printed: print(eventQuery.document),
      ...(history &&
        queryFields[history.field] && {
          historyQuery: toEventQuery(
            operation,
            document,
            history.field,
            historyRootArguments(history),
            HISTORY_HIDDEN_FIELDS,
          ),
        }),
      ...(snapshot &&
        history &&
        queryFields[snapshot.field] && {
          snapshotQuery: toEventQuery(
            operation,
            document,
            snapshot.field,
            history.streamArgument,
            SNAPSHOT_HIDDEN_FIELDS,
          ),
        }),
      ...(initialStates &&
        queryFields[initialStates.field] && {
          initialStatesQuery: toEventQuery(operation, document, initialStates.field, null, {
            ...SNAPSHOT_HIDDEN_FIELDS,
            [STREAM_ALIAS]: initialStates.streamField,
          }),
        }),
    };
  } catch (error) {
    if (error instanceof EventQueryError) return [graphqlError('BAD_USER_INPUT', error.message)];
    throw error;
  }
}

/**
 * Creates the compiler. Documents come from the gateway's document cache, so a thousand clients
 * sending the same operation share one document and one compilation.
 */
export function createSubscriptionCompiler(
  fields: Record<string, SubscriptionFieldConfig>,
): SubscriptionCompiler {
  const cache = new WeakMap<
    GraphQLSchema,
    WeakMap<DocumentNode, Map<string, ReturnType<SubscriptionCompiler>>>
  >();
  return (schema, document, operationName) => {
    let bySchema = cache.get(schema);
    if (!bySchema) {
      bySchema = new WeakMap();
      cache.set(schema, bySchema);
    }
    let byOperation = bySchema.get(document);
    if (!byOperation) {
      byOperation = new Map();
      bySchema.set(document, byOperation);
    }
    const name = operationName ?? '';
    let compiled = byOperation.get(name);
    if (!compiled) {
      compiled = compile(schema, document, operationName, fields);
      byOperation.set(name, compiled);
    }
    return compiled;
  };
}
