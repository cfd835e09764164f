import DataLoader from 'dataloader';
import type { BaseContext } from '../../../lib/graphql';
import type { OutboxRelay } from '../../../lib/events';
import type { ComponentDoc, ComponentModel } from './models/Component';

/** Long-lived dependencies of the registry resolvers. */
export interface RegistryDeps {
  components: ComponentModel;
  relay: OutboxRelay;
  /** CloudEvents `source` of the events this subgraph emits. */
  eventSource: string;
}

/** Per-request context: dependencies plus request-scoped DataLoaders. */
export interface RegistryContext extends BaseContext, RegistryDeps {
  componentById: DataLoader<string, ComponentDoc | null>;
}

/** Builds the per-request context; one DataLoader per request so caching never leaks across users. */
export function createRegistryContext(deps: RegistryDeps, base: BaseContext): RegistryContext {
  return {
    ...base,
    ...deps,
    componentById: new DataLoader(async (ids) => {
      const docs = await deps.components.find({ _id: { $in: ids } }).lean<ComponentDoc[]>();
      const byId = new Map(docs.map((doc) => [doc._id, doc]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
