import DataLoader from 'dataloader';
import type { BaseContext } from '../../../lib/graphql';
import type { OutboxRelay } from '../../../lib/events';
import { LIVE, type ComponentDoc, type ComponentModel } from './models/Component';
import type { QualityReportModel } from './models/QualityReport';
import type { KeyedQueue } from './domain/createKeyedQueue';

/** Long-lived dependencies of the registry resolvers. */
export interface RegistryDeps {
  components: ComponentModel;
  qualityReports: QualityReportModel;
  relay: OutboxRelay;
  /** Serialises changes of one component within this process. */
  changes: KeyedQueue;
  /** CloudEvents `source` of the events this subgraph emits. */
  eventSource: string;
}

/** Per-request context: dependencies plus request-scoped DataLoaders. */
export interface RegistryContext extends BaseContext, RegistryDeps {
  /** Live (not deleted) components by id. */
  componentById: DataLoader<string, ComponentDoc | null>;
  /** Live components that depend directly on an id. */
  dependentsOf: DataLoader<string, ComponentDoc[]>;
}

/** Builds the per-request context; one DataLoader per request so caching never leaks across users. */
export function createRegistryContext(deps: RegistryDeps, base: BaseContext): RegistryContext {
  const componentById = new DataLoader<string, ComponentDoc | null>(async (ids) => {
    const docs = await deps.components.find({ _id: { $in: ids }, ...LIVE }).lean<ComponentDoc[]>();
    const byId = new Map(docs.map((doc) => [doc._id, doc]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  const dependentsOf = new DataLoader<string, ComponentDoc[]>(async (ids) => {
    const docs = await deps.components
      .find({ dependencies: { $in: ids }, ...LIVE })
      .sort({ name: 1 })
      .lean<ComponentDoc[]>();
    for (const doc of docs) componentById.prime(doc._id, doc);
    return ids.map((id) => docs.filter((doc) => doc.dependencies.includes(id)));
  });
  return { ...base, ...deps, componentById, dependentsOf };
}
