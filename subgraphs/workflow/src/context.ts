import DataLoader from 'dataloader';
import type { BaseContext } from '../../../lib/graphql';
import type { WorkflowRuntime } from './createWorkflowRuntime';
import type { WorkflowRunDoc } from './models/WorkflowRun';
import { createProgressQueries, type ProgressQueries } from './services/progressQueries';

/** Long-lived dependencies of the workflow resolvers. */
export type WorkflowDeps = Pick<
  WorkflowRuntime,
  'definitions' | 'runs' | 'runEvents' | 'commands' | 'actions' | 'cache' | 'store'
>;

/** Per-request context with its DataLoaders. */
export interface WorkflowContext extends BaseContext, WorkflowDeps {
  runById: DataLoader<string, WorkflowRunDoc | null>;
  runsByComponentId: DataLoader<string, WorkflowRunDoc[]>;
  progress: ProgressQueries;
}

/** Builds the per-request context. */
export function createWorkflowContext(deps: WorkflowDeps, base: BaseContext): WorkflowContext {
  return {
    ...base,
    definitions: deps.definitions,
    runs: deps.runs,
    runEvents: deps.runEvents,
    commands: deps.commands,
    actions: deps.actions,
    cache: deps.cache,
    store: deps.store,
    progress: createProgressQueries(deps.store, deps.runEvents),
    // Through the store: it rolls a run document forward over newer commits.
    runById: new DataLoader((ids) => Promise.all(ids.map((id) => deps.store.load(id)))),
    runsByComponentId: new DataLoader(async (componentIds) => {
      const docs = await deps.runs
        .find({ componentIds: { $in: componentIds } })
        .sort({ startedAt: -1 })
        .lean<WorkflowRunDoc[]>();
      return componentIds.map((id) => docs.filter((run) => run.componentIds.includes(id)));
    }),
  };
}
