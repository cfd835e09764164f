import DataLoader from 'dataloader';
import type { BaseContext } from '../../../lib/graphql';
import type { WorkflowDefinitionModel } from './models/WorkflowDefinition';
import type { WorkflowRunDoc, WorkflowRunModel } from './models/WorkflowRun';

/** Long-lived dependencies of the workflow resolvers. */
export interface WorkflowDeps {
  definitions: WorkflowDefinitionModel;
  runs: WorkflowRunModel;
}

/** Per-request context with its DataLoaders. */
export interface WorkflowContext extends BaseContext, WorkflowDeps {
  runById: DataLoader<string, WorkflowRunDoc | null>;
  runsByComponentId: DataLoader<string, WorkflowRunDoc[]>;
}

/** Builds the per-request context. */
export function createWorkflowContext(deps: WorkflowDeps, base: BaseContext): WorkflowContext {
  return {
    ...base,
    ...deps,
    runById: new DataLoader(async (ids) => {
      const docs = await deps.runs.find({ _id: { $in: ids } }).lean<WorkflowRunDoc[]>();
      const byId = new Map(docs.map((doc) => [doc._id, doc]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    runsByComponentId: new DataLoader(async (componentIds) => {
      const docs = await deps.runs
        .find({ componentIds: { $in: componentIds } })
        .sort({ startedAt: -1 })
        .lean<WorkflowRunDoc[]>();
      return componentIds.map((id) => docs.filter((run) => run.componentIds.includes(id)));
    }),
  };
}
