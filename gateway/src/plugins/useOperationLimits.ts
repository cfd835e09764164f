import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { graphqlError } from '../../../lib/graphql';

/** Limits on the shape of one operation. */
export interface OperationLimits {
  /** Deepest field nesting. @default 15 */
  maxDepth?: number;
  /** Aliased fields in the operation. @default 30 */
  maxAliases?: number;
  /** Estimated cost: 1 per field, multiplied by the `first`/`limit` of enclosing list fields. @default 10000 */
  maxCost?: number;
}

/** Measured shape of an operation. */
export interface OperationShape {
  depth: number;
  aliases: number;
  cost: number;
}

const MULTIPLIER_ARGUMENTS = new Set(['first', 'last', 'limit']);

/** Measures depth, aliases and cost, following fragments (cycles are already refused by validation). */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
): OperationShape {
  let aliases = 0;
  const walk = (
    set: SelectionSetNode,
    depth: number,
    multiplier: number,
  ): { depth: number; cost: number } => {
    let deepest = depth;
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases++;
        cost += multiplier;
        if (selection.selectionSet) {
          let factor = 1;
          for (const arg of selection.arguments ?? []) {
            if (!MULTIPLIER_ARGUMENTS.has(arg.name.value)) continue;
            const value =
              arg.value.kind === Kind.INT
                ? Number(arg.value.value)
                : arg.value.kind === Kind.VARIABLE
                  ? Number(variables[arg.value.name.value])
                  : NaN;
            if (Number.isFinite(value) && value > 0) factor = value;
          }
          const inner = walk(selection.selectionSet, depth + 1, multiplier * factor);
          deepest = Math.max(deepest, inner.depth);
          cost += inner.cost;
        }
      } else {
        const inner =
          selection.kind === Kind.INLINE_FRAGMENT
            ? selection.selectionSet
            : fragments[selection.name.value]?.selectionSet;
        if (!inner) continue;
        const measured = walk(inner, depth, multiplier);
        deepest = Math.max(deepest, measured.depth);
        cost += measured.cost;
      }
    }
    return { depth: deepest, cost };
  };
  const { depth, cost } = walk(operation.selectionSet, 0, 1);
  return { depth, aliases, cost };
}

/** The first limit an operation exceeds, as the error the client gets; undefined = within limits. */
export function exceededLimit(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  variables: Record<string, unknown>,
  limits: OperationLimits = {},
): GraphQLError | undefined {
  const maxDepth = limits.maxDepth ?? 15;
  const maxAliases = limits.maxAliases ?? 30;
  const maxCost = limits.maxCost ?? 10_000;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const shape = measureOperation(operation, fragments, variables);
  const refuse = (limit: string, max: number, actual: number) =>
    graphqlError('BAD_USER_INPUT', `operation ${limit} ${actual} exceeds the limit of ${max}`, {
      limit,
      max,
      actual,
      http: { status: 400 },
    });
  if (shape.depth > maxDepth) return refuse('depth', maxDepth, shape.depth);
  if (shape.aliases > maxAliases) return refuse('aliases', maxAliases, shape.aliases);
  if (shape.cost > maxCost) return refuse('cost', maxCost, shape.cost);
  return undefined;
}

/** Refuses operations past the depth, alias or cost limits (HTTP and socket queries). */
export function useOperationLimits(limits: OperationLimits = {}): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) return;
          const exceeded = exceededLimit(operation, document, request.variables ?? {}, limits);
          if (exceeded) throw exceeded;
        },
      };
    },
  };
}
