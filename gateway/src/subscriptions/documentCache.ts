import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

/** A parsed and validated document, or why it is not one (errors with `extensions.code`). */
export type CachedDocument = { document: DocumentNode } | { errors: GraphQLError[] };

/** Parses and validates each distinct operation text once per schema. */
export interface DocumentCache {
  get(schema: GraphQLSchema, query: string): CachedDocument;
}

/** Re-types graphql-js' errors with the codes Apollo Server gives them over HTTP. */
const withCode = (errors: readonly GraphQLError[], code: string) =>
  errors.map(
    (error) =>
      new GraphQLError(error.message, {
        nodes: error.nodes ?? null,
        source: error.source ?? null,
        positions: error.positions ?? null,
        extensions: { ...error.extensions, code },
      }),
  );

/**
 * Creates a bounded cache (least recently used out). A thousand clients subscribing with the same
 * operation cost one parse and one validation, and share one document, so the rewritten event
 * queries derived from it are computed once too.
 */
export function createDocumentCache(maxEntries = 1000): DocumentCache {
  const bySchema = new WeakMap<GraphQLSchema, Map<string, CachedDocument>>();
  return {
    get(schema, query) {
      let entries = bySchema.get(schema);
      if (!entries) {
        entries = new Map();
        bySchema.set(schema, entries);
      }
      const hit = entries.get(query);
      if (hit) {
        entries.delete(query);
        entries.set(query, hit);
        return hit;
      }
      let entry: CachedDocument;
      try {
        const document = parse(query);
        const errors = validate(schema, document);
        entry =
          errors.length > 0
            ? { errors: withCode(errors, 'GRAPHQL_VALIDATION_FAILED') }
            : { document };
      } catch (error) {
        const parseError =
          error instanceof GraphQLError
            ? error
            : new GraphQLError('the operation could not be parsed');
        entry = { errors: withCode([parseError], 'GRAPHQL_PARSE_FAILED') };
      }
      entries.set(query, entry);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      return entry;
    },
  };
}
