import {
  Kind,
  parseType,
  OperationTypeNode,
  visit,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The variable that carries the event id into the rewritten query. */
export const EVENT_ID_VARIABLE = '__eventId';

/** A subscription operation rewritten into a query resolving one event by id. */
export interface EventQuery {
  document: DocumentNode;
  /** Response key of the root field (the subscription field's alias or name). */
  responseKey: string;
  /** The subscription's root field as written by the client. */
  rootField: FieldNode;
}

/** One argument of the rewritten root field, bound to a variable the gateway supplies. */
export interface RootArgument {
  argument: string;
  variable: string;
  /** The variable's type, e.g. `ID!`, `String`, `Int`. */
  type: string;
}

/** Raised when a subscription cannot be rewritten (several or non-field roots). */
export class EventQueryError extends Error {
  override readonly name = 'EventQueryError';
}

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;

function namesIn(node: ASTNode, kind: Kind.VARIABLE | Kind.FRAGMENT_SPREAD): Set<string> {
  const found = new Set<string>();
  visit(node, {
    [kind]: (n: { name: { value: string } }) => {
      found.add(n.name.value);
    },
  });
  return found;
}

/** The fragments a selection needs, transitively (unused fragments fail validation). */
function usedFragments(
  root: SelectionSetNode,
  all: Map<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const result = new Map<string, FragmentDefinitionNode>();
  const pending = [...namesIn(root, Kind.FRAGMENT_SPREAD)];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const fragment = all.get(next);
    if (!fragment || result.has(next)) continue;
    result.set(next, fragment);
    pending.push(...namesIn(fragment, Kind.FRAGMENT_SPREAD));
  }
  return [...result.values()];
}

/**
 * Rewrites `subscription S($a…) { alias: field(args) { …selection } }` into
 * `query S($used…, $__eventId: ID!) { alias: <eventField>(<idArg>: $__eventId) { …selection } }`,
 * keeping fragments and the variables the selection still uses, so the gateway's query planner
 * resolves every selected field — including those owned by other subgraphs — for one event.
 * `hiddenFields` (alias → field) are added to the root selection for the gateway's own use.
 * `rootArguments` names the root field's arguments: one name binds it to `$__eventId: ID!`, a list
 * binds each to its own variable, and null keeps the client's arguments (a field taking the same
 * ones).
 */
export function toEventQuery(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  eventField: string,
  rootArguments: string | null | readonly RootArgument[] = 'id',
  hiddenFields: Readonly<Record<string, string>> = {},
): EventQuery {
  const bound: readonly RootArgument[] | null =
    typeof rootArguments === 'string'
      ? [{ argument: rootArguments, variable: EVENT_ID_VARIABLE, type: 'ID!' }]
      : rootArguments;
  const selections = operation.selectionSet.selections;
  const rootField = selections[0];
  if (selections.length !== 1 || rootField?.kind !== Kind.FIELD) {
    throw new EventQueryError(
      `expected a subscription with exactly one root field, but got: ${selections.length} selections`,
    );
  }
  const responseKey = rootField.alias?.value ?? rootField.name.value;
  const hidden: FieldNode[] = Object.entries(hiddenFields).map(([alias, field]) => ({
    kind: Kind.FIELD,
    alias: name(alias),
    name: name(field),
  }));
  const eventRoot: FieldNode = {
    ...rootField,
    ...(rootField.selectionSet &&
      hidden.length > 0 && {
        selectionSet: {
          ...rootField.selectionSet,
          selections: [...rootField.selectionSet.selections, ...hidden],
        },
      }),
    alias: name(responseKey),
    name: name(eventField),
    arguments:
      bound === null
        ? rootField.arguments
        : bound.map(({ argument, variable }) => ({
            kind: Kind.ARGUMENT,
            name: name(argument),
            value: { kind: Kind.VARIABLE, name: name(variable) },
          })),
  };
  const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [eventRoot] };
  const fragmentsByName = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const fragments = usedFragments(selectionSet, fragmentsByName);
  const usedVariables = new Set<string>();
  for (const node of [selectionSet, ...fragments, ...(operation.directives ?? [])]) {
    for (const variable of namesIn(node, Kind.VARIABLE)) usedVariables.add(variable);
  }
  const query: OperationDefinitionNode = {
    ...operation,
    operation: OperationTypeNode.QUERY,
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter(
        (definition) =>
          !bound?.some(({ variable }) => variable === definition.variable.name.value) &&
          usedVariables.has(definition.variable.name.value),
      ),
      ...(bound ?? []).map(
        ({ variable, type }) =>
          ({
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: name(variable) },
            type: parseType(type),
          }) as const,
      ),
    ],
    selectionSet,
  };
  return {
    document: { kind: Kind.DOCUMENT, definitions: [query, ...fragments] },
    responseKey,
    rootField,
  };
}
