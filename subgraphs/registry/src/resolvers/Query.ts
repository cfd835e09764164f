import { badUserInput, notFound } from '../../../../lib/graphql';
import { tokenize, rankByTokens } from '../domain/searchTokens';
import {
  LIVE,
  type ComponentDoc,
  type ComponentType,
  type QualityReportDoc,
} from '../models/Component';
import type { RegistryContext } from '../context';
import { listComponents, type ListArgs } from './listComponents';
import { dependencyGraph, type GraphArgs } from './dependencyGraph';

/** Most candidates a search ranks in memory; the index narrows them first. */
const SEARCH_CANDIDATES = 1000;

export function checkFirst(first: number, max = 500, field = 'first') {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badUserInput(field, `expected 1 to ${max}, but got: ${first}`);
  }
}

async function liveComponent(ctx: RegistryContext, id: string, what = 'Component') {
  const doc = await ctx.componentById.load(id);
  if (!doc) throw notFound(what, id);
  return doc;
}

/** Root query resolvers of the registry. */
export const Query = {
  component: (_: unknown, args: { id: string }, ctx: RegistryContext) =>
    ctx.componentById.load(args.id),

  components: (_: unknown, args: ListArgs, ctx: RegistryContext) => listComponents(args, ctx),

  searchComponents: async (
    _: unknown,
    args: { query: string; first: number; type?: ComponentType | null },
    ctx: RegistryContext,
  ) => {
    checkFirst(args.first, 100);
    const tokens = tokenize(args.query);
    if (tokens.length === 0) throw badUserInput('query', 'expected at least one letter or digit');
    const candidates = await ctx.components
      .find({ searchTokens: { $in: tokens }, ...LIVE, ...(args.type && { type: args.type }) })
      .limit(SEARCH_CANDIDATES)
      .lean<ComponentDoc[]>();
    for (const doc of candidates) ctx.componentById.prime(doc._id, doc);
    return rankByTokens(args.query, candidates)
      .slice(0, args.first)
      .map((hit) => ({ component: hit.item, score: hit.score, matchedTokens: hit.matched }));
  },

  componentsByType: async (
    _: unknown,
    args: { type: ComponentType; first: number },
    ctx: RegistryContext,
  ) => {
    checkFirst(args.first);
    const docs = await ctx.components
      .find({ type: args.type, ...LIVE })
      .sort({ createdAt: -1, _id: 1 })
      .limit(args.first)
      .lean<ComponentDoc[]>();
    for (const doc of docs) ctx.componentById.prime(doc._id, doc);
    return docs;
  },

  dependencyGraph: async (_: unknown, args: GraphArgs, ctx: RegistryContext) =>
    dependencyGraph(await liveComponent(ctx, args.id), args, ctx),

  qualityHistory: async (
    _: unknown,
    args: { componentId: string; first: number },
    ctx: RegistryContext,
  ) => {
    checkFirst(args.first, 100);
    const component = await liveComponent(ctx, args.componentId);
    const reports = await ctx.qualityReports
      .find({ componentId: args.componentId })
      .sort({ createdAt: -1 })
      .limit(args.first)
      .lean<QualityReportDoc[]>();
    // The latest report is committed with the component first; if the history insert that follows
    // failed, it is still shown here.
    const latest = component.latestQuality;
    if (latest && !reports.some((report) => report._id === latest._id)) reports.unshift(latest);
    return reports.slice(0, args.first);
  },

  componentUsage: async (_: unknown, args: { componentId: string }, ctx: RegistryContext) =>
    (await liveComponent(ctx, args.componentId)).usage,
};
