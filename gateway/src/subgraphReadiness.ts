import { Kind, parse } from 'graphql';

/** Routing URLs by subgraph name, read from the `join__Graph` enum of a supergraph. */
export function subgraphUrlsOf(supergraphSdl: string): Record<string, string> {
  if (!supergraphSdl) return {};
  const urls: Record<string, string> = {};
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph')
      continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (name: string) => {
        const found = graph?.arguments?.find((a) => a.name.value === name)?.value;
        return found?.kind === Kind.STRING ? found.value : undefined;
      };
      const name = arg('name');
      const url = arg('url');
      if (name && url) urls[name] = url;
    }
  }
  return urls;
}

/** True when every subgraph answers a trivial `{ __typename }` query within 2 s. */
export async function reachableSubgraphs(urls: Record<string, string>): Promise<boolean> {
  const results = await Promise.all(
    Object.values(urls).map((url) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(2_000),
      })
        // Any HTTP answer (even 401 from a subgraph requiring the gateway's signature) means reachable.
        .then(() => true)
        .catch(() => false),
    ),
  );
  return results.every(Boolean);
}
