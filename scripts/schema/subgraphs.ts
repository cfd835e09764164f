/** The subgraphs of the platform and their default routing URLs (overridable at the gateway). */
export const SUBGRAPHS = [
  { name: 'registry', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'intelligence', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'workflow', url: 'http://127.0.0.1:4003/graphql' },
  // Served by the operations role (OPERATIONS_PORT): dead letters, replay jobs, redrive, parked events.
  { name: 'operations', url: 'http://127.0.0.1:4010/graphql' },
] as const;
