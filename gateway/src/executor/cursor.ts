import { isObjectOfType } from '@apollo/gateway/dist/dataRewrites';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge';
import {
  getResponseName,
  type QueryPlanSelectionNode,
  type ResponsePath,
} from '@apollo/query-planner';
import { Kind, type GraphQLSchema } from 'graphql';

/** A response object being built (merged subgraph data). */
export type Data = Record<string, unknown>;

/** Where a plan node reads and writes: the data at `path` of the response being built. */
export interface Cursor {
  path: ResponsePath;
  data: Data | Data[];
  fullResult: Data;
}

/** The representation of an entity for a fetch's `requires` (Apollo's `executeSelectionSet`). */
export function selectRepresentation(
  schema: GraphQLSchema,
  source: Data | null,
  selections: QueryPlanSelectionNode[],
): Data | null {
  if (source === null) return null;
  const result = Object.create(null) as Data;
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const responseName = getResponseName(selection);
      const value = Object.hasOwn(source, responseName) ? source[responseName] : undefined;
      if (value === undefined) return null;
      const children = selection.selections;
      if (Array.isArray(value)) {
        result[responseName] = value.map((element: Data | null) =>
          children ? selectRepresentation(schema, element, children) : element,
        );
      } else if (children) {
        result[responseName] = selectRepresentation(schema, value as Data | null, children);
      } else {
        result[responseName] = value;
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!selection.typeCondition) continue;
      if (isObjectOfType(schema, source, selection.typeCondition)) {
        deepMerge(result, selectRepresentation(schema, source, selection.selections));
      }
    }
  }
  return result;
}

/** The data at `path` below the cursor, flattened over lists (`@`). */
export function moveIntoCursor(cursor: Cursor, path: ResponsePath): Cursor | undefined {
  const data = flattenResultsAtPath(cursor.data, path);
  return data
    ? { path: cursor.path.concat(path), data: data as Data | Data[], fullResult: cursor.fullResult }
    : undefined;
}

function flattenResultsAtPath(value: unknown, path: ResponsePath, from = 0): unknown {
  let current = value;
  for (let i = from; i < path.length; i++) {
    if (current === undefined || current === null) return current;
    const element = path[i];
    if (element === '@') {
      // Array.prototype.flatMap's semantics (one level), without its per-element closures.
      const flattened: unknown[] = [];
      for (const item of current as unknown[]) {
        const below = flattenResultsAtPath(item, path, i + 1);
        if (Array.isArray(below)) for (const entry of below) flattened.push(entry);
        else flattened.push(below);
      }
      return flattened;
    }
    if (typeof element !== 'string' || Array.isArray(current)) {
      throw new Error(`Unexpected value in result for path element ${String(element)}`);
    }
    const record = current as Data;
    current = Object.hasOwn(record, element) ? record[element] : undefined;
  }
  return current;
}
