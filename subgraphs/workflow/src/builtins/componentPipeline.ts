/** The built-in component generation pipeline (seed definition; the engine arrives with its issue). */
export const COMPONENT_PIPELINE = {
  id: 'component-generation-pipeline',
  version: '1.0.0',
  name: 'Component generation pipeline',
  steps: ['blueprints', 'style', 'pages', 'components', 'code', 'quality'].map((id) => ({
    id,
    type: 'action',
  })),
} as const;
