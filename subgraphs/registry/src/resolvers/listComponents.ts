import type { QueryFilter, SortOrder } from 'mongoose';
import { badUserInput } from '../../../../lib/graphql';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import { tokenize } from '../domain/searchTokens';
import { LIVE, type ComponentDoc, type ComponentType } from '../models/Component';
import type { RegistryContext } from '../context';

const SORT_FIELDS = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', NAME: 'name' } as const;

/** Arguments of `Query.components`. */
export interface ListArgs {
  filter?: { type?: ComponentType | null; tag?: string | null; text?: string | null } | null;
  sort?: { field: keyof typeof SORT_FIELDS; direction: 'ASC' | 'DESC' } | null;
  first: number;
  after?: string | null;
}

function filterOf(filter: ListArgs['filter']): QueryFilter<ComponentDoc> {
  const query: QueryFilter<ComponentDoc> = { ...LIVE };
  if (filter?.type) query.type = filter.type;
  if (filter?.tag) query.tags = filter.tag.trim().toLowerCase();
  if (filter?.text != null) {
    const tokens = tokenize(filter.text);
    if (tokens.length === 0) throw badUserInput('filter.text', 'expected a letter or digit');
    // Every token must match (AND); ranking belongs to searchComponents.
    query.searchTokens = { $all: tokens };
  }
  return query;
}

/**
 * A Relay-style connection over live components with keyset pagination on (sort field, id):
 * stable under inserts, one query per page (plus a count only when `totalCount` is asked for).
 */
export async function listComponents(args: ListArgs, ctx: RegistryContext) {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > 500) {
    throw badUserInput('first', `expected 1 to 500, but got: ${args.first}`);
  }
  const field = SORT_FIELDS[args.sort?.field ?? 'CREATED_AT'];
  const ascending = (args.sort?.direction ?? 'DESC') === 'ASC';
  const base = filterOf(args.filter);
  const query: QueryFilter<ComponentDoc> = { ...base };
  if (args.after) {
    const position = decodeCursor(args.after);
    const value = field === 'name' ? String(position.value) : new Date(position.value);
    const op = ascending ? '$gt' : '$lt';
    query.$or = [{ [field]: { [op]: value } }, { [field]: value, _id: { [op]: position.id } }];
  }
  const order: SortOrder = ascending ? 1 : -1;
  const docs = await ctx.components
    .find(query)
    .sort({ [field]: order, _id: order })
    .limit(args.first + 1)
    .lean<ComponentDoc[]>();
  const page = docs.slice(0, args.first);
  for (const doc of page) ctx.componentById.prime(doc._id, doc);
  const cursorOf = (doc: ComponentDoc) =>
    encodeCursor({
      value: field === 'name' ? doc.name : new Date(doc[field]).getTime(),
      id: doc._id,
    });
  const edges = page.map((node) => ({ node, cursor: cursorOf(node) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: docs.length > args.first,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    // A function field: graphql-js calls it only when the client selects totalCount.
    totalCount: () => ctx.components.countDocuments(base).exec(),
  };
}
