import type { WorkflowSpec } from '../definitions/types';
import type { WorkflowContext } from '../context';
import type { WorkflowDefinitionDoc } from '../models/WorkflowDefinition';
import type { WorkflowRunDoc } from '../models/WorkflowRun';
import { currentStepId, type ProgressEventView } from '../services/progressQueries';

const upper = (value: string) => value.toUpperCase();

/** Resolvers of the object types (entities included). */
export const typeResolvers = {
  Component: {
    __resolveReference: (ref: { id: string }) => ref,
    workflowRuns: (ref: { id: string }, _args: unknown, ctx: WorkflowContext) =>
      ctx.runsByComponentId.load(ref.id),
  },
  WorkflowDefinition: {
    __resolveReference: (ref: { id: string; version: string }, ctx: WorkflowContext) =>
      ctx.definitions
        .findOne({ definitionId: ref.id, version: ref.version })
        .lean<WorkflowDefinitionDoc>()
        .exec(),
    id: (doc: WorkflowDefinitionDoc) => doc.definitionId,
    description: (doc: WorkflowDefinitionDoc) =>
      (doc.spec as unknown as WorkflowSpec).description ?? null,
    stepIds: (doc: WorkflowDefinitionDoc) =>
      (doc.spec as unknown as WorkflowSpec).steps.map((step) => step.id),
  },
  WorkflowRun: {
    __resolveReference: (ref: { id: string }, ctx: WorkflowContext) => ctx.runById.load(ref.id),
    id: (doc: WorkflowRunDoc) => doc._id,
    definition: (doc: WorkflowRunDoc, _args: unknown, ctx: WorkflowContext) =>
      ctx.definitions
        .findOne({ definitionId: doc.definitionId, version: doc.definitionVersion })
        .lean<WorkflowDefinitionDoc>()
        .exec(),
    // The run's own links (existing components it named) first, then the components the
    // registry registered for it, in registration order.
    components: async (doc: WorkflowRunDoc, _args: unknown, ctx: WorkflowContext) => {
      const linked = await ctx.linkedComponentIds.load(doc._id);
      return [...new Set([...doc.componentIds, ...linked])].map((id) => ({ id }));
    },
    transitions: (doc: WorkflowRunDoc) =>
      doc.transitions.map((t) => ({ ...t, status: upper(t.status) })),
    currentStepId: (doc: WorkflowRunDoc) => currentStepId(doc),
    sequence: (doc: WorkflowRunDoc) => doc.progressSequence,
    pendingTask: (doc: WorkflowRunDoc) =>
      doc.status === 'WAITING' && doc.wait?.kind === 'approval' && !doc.wait.decision
        ? {
            runId: doc._id,
            stepId: doc.wait.stepId,
            assignee: doc.wait.assignee,
            message: doc.wait.message,
            expiresAt: doc.wait.timeoutAt,
          }
        : null,
  },
  StepState: {
    attempts: (record: { attempts?: number }) => record.attempts ?? 0,
  },
  RunProgressEvent: {
    __resolveReference: (ref: { id: string }, ctx: WorkflowContext) => ctx.progress.get(ref.id),
    run: async (event: ProgressEventView, _args: unknown, ctx: WorkflowContext) =>
      ctx.runById.load(event.runId),
  },
};
