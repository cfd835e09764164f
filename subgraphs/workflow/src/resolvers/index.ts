import { DateTimeScalar } from '../../../../lib/graphql';
import type { WorkflowDefinitionDoc } from '../models/WorkflowDefinition';
import type { WorkflowRunDoc } from '../models/WorkflowRun';
import type { WorkflowContext } from '../context';

/** All resolvers of the workflow subgraph. */
export const resolvers = {
  DateTime: DateTimeScalar,
  Component: {
    __resolveReference: (ref: { id: string }) => ref,
    workflowRuns: (ref: { id: string }, _args: unknown, ctx: WorkflowContext) =>
      ctx.runsByComponentId.load(ref.id),
  },
  WorkflowDefinition: {
    __resolveReference: (ref: { id: string; version: string }, ctx: WorkflowContext) =>
      ctx.definitions
        .findOne({ definitionId: ref.id, version: ref.version })
        .lean<WorkflowDefinitionDoc>(),
    id: (doc: WorkflowDefinitionDoc) => doc.definitionId,
  },
  WorkflowRun: {
    __resolveReference: (ref: { id: string }, ctx: WorkflowContext) => ctx.runById.load(ref.id),
    id: (doc: WorkflowRunDoc) => doc._id,
    components: (doc: WorkflowRunDoc) => doc.componentIds.map((id) => ({ id })),
  },
  Query: {
    workflowDefinitions: (_: unknown, _args: unknown, ctx: WorkflowContext) =>
      ctx.definitions.find().sort({ definitionId: 1, version: 1 }).lean<WorkflowDefinitionDoc[]>(),
    workflowRun: (_: unknown, args: { id: string }, ctx: WorkflowContext) =>
      ctx.runById.load(args.id),
  },
};
