import DataLoader from 'dataloader';
import type { BaseContext } from '../../../lib/graphql';
import type { WorkflowRuntime } from './createWorkflowRuntime';
import type { RunComponentLinkDoc } from './models/RunComponentLink';
import type { WorkflowRunDoc } from './models/WorkflowRun';
import { createProgressQueries, type ProgressQueries } from './services/progressQueries';

/** Long-lived dependencies of the workflow resolvers. */
export type WorkflowDeps = Pick<
  WorkflowRuntime,
  | 'definitions'
  | 'runs'
  | 'runEvents'
  | 'commands'
  | 'actions'
  | 'plugins'
  | 'cache'
  | 'store'
  | 'componentLinks'
  | 'webhookDeliveries'
  | 'breakers'
>;

/** Per-request context with its DataLoaders. */
export interface WorkflowContext extends BaseContext, WorkflowDeps {
  runById: DataLoader<string, WorkflowRunDoc | null>;
  runsByComponentId: DataLoader<string, WorkflowRunDoc[]>;
  /** Ids of components linked to a run after registration (`run_components`), oldest first. */
  linkedComponentIds: DataLoader<string, string[]>;
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
    plugins: deps.plugins,
    cache: deps.cache,
    store: deps.store,
    componentLinks: deps.componentLinks,
    webhookDeliveries: deps.webhookDeliveries,
    breakers: deps.breakers,
    progress: createProgressQueries(deps.store, deps.runEvents),
    // Through the store: it rolls a run document forward over newer commits.
    runById: new DataLoader((ids) => Promise.all(ids.map((id) => deps.store.load(id)))),
    // A run is linked to a component by its own `componentIds` or by a `run_components` link.
    runsByComponentId: new DataLoader(async (componentIds) => {
      const links = await deps.componentLinks
        .find({ componentId: { $in: componentIds } }, { runId: 1, componentId: 1 })
        .lean<RunComponentLinkDoc[]>();
      const docs = await deps.runs
        .find({
          $or: [
            { componentIds: { $in: componentIds } },
            { _id: { $in: [...new Set(links.map((link) => link.runId))] } },
          ],
        })
        .sort({ startedAt: -1 })
        .lean<WorkflowRunDoc[]>();
      return componentIds.map((id) => {
        const linked = new Set(links.filter((l) => l.componentId === id).map((l) => l.runId));
        return docs.filter((run) => run.componentIds.includes(id) || linked.has(run._id));
      });
    }),
    linkedComponentIds: new DataLoader(async (runIds) => {
      const links = await deps.componentLinks
        .find({ runId: { $in: runIds } }, { runId: 1, componentId: 1, linkedAt: 1 })
        .sort({ linkedAt: 1, _id: 1 })
        .lean<RunComponentLinkDoc[]>();
      return runIds.map((runId) =>
        links.filter((link) => link.runId === runId).map((link) => link.componentId),
      );
    }),
  };
}
