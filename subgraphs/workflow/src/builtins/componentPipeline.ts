import type { WorkflowSpec } from '../definitions/types';

/**
 * The built-in component generation pipeline: blueprints → style → pages → components → code →
 * quality. Stages announce themselves as events; `components` asks the registry (through events)
 * to register what the input lists, and `quality` asks for their validation.
 */
export const COMPONENT_PIPELINE: WorkflowSpec = {
  id: 'component-generation-pipeline',
  version: '1.0.0',
  name: 'Component generation pipeline',
  description:
    'Generates components from blueprints; each transition is recorded with its duration.',
  steps: [
    {
      id: 'blueprints',
      type: 'action',
      action: 'event.emit',
      input: { type: 'pipeline.blueprints.prepared', data: { blueprints: '=input.blueprints' } },
      retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 200 } },
    },
    {
      id: 'style',
      type: 'action',
      action: 'event.emit',
      input: { type: 'pipeline.style.applied', data: { theme: '=input.theme' } },
    },
    {
      id: 'pages',
      type: 'action',
      action: 'event.emit',
      input: { type: 'pipeline.pages.planned', data: { pages: '=input.pages' } },
    },
    {
      id: 'components',
      type: 'action',
      action: 'component.register',
      input: {
        components: '=input.components ? input.components[] : []',
        componentIds: '=input.componentIds ? input.componentIds[] : []',
      },
      // Registration requests are deduplicated by id downstream, but say so explicitly.
      idempotent: true,
    },
    {
      id: 'code',
      type: 'action',
      action: 'event.emit',
      input: {
        type: 'pipeline.code.generated',
        data: {
          componentIds: '=outputs.components.componentIds[]',
          requestedIds: '=outputs.components.requestedIds[]',
        },
      },
    },
    {
      id: 'quality',
      type: 'action',
      action: 'component.validate',
      // The existing components and the generated ones: one run's requests are handled in order,
      // so a generated component is registered before its validation request is.
      input: {
        componentIds:
          '=$append(outputs.components.componentIds, outputs.components.requestedIds)[]',
      },
    },
  ],
};
