import type { WorkflowSpec } from '../definitions/types';
import type { WorkflowDefinitionDoc, WorkflowDefinitionModel } from '../models/WorkflowDefinition';

/** Loads definition versions; versions are immutable, so they are cached for the process lifetime. */
export interface DefinitionCache {
  get(definitionId: string, version: string): Promise<WorkflowSpec | null>;
}

/** Creates the cache over the definitions collection. */
export function createDefinitionCache(definitions: WorkflowDefinitionModel): DefinitionCache {
  const cache = new Map<string, WorkflowSpec>();
  return {
    async get(definitionId, version) {
      const key = `${definitionId}@${version}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const doc = await definitions
        .findOne({ definitionId, version })
        .lean<WorkflowDefinitionDoc>()
        .exec();
      if (!doc) return null;
      const spec = doc.spec as unknown as WorkflowSpec;
      cache.set(key, spec);
      return spec;
    },
  };
}
