import type { FetcherHeaders } from '@apollo/utils.fetcher';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The headers of a subgraph response, as the `FetcherHeaders` Apollo's data sources return,
 * over undici's plain header object (no WHATWG `Headers` built per response).
 */
export function createResponseHeaders(raw: IncomingHttpHeaders): FetcherHeaders {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined)
      map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
  }
  return {
    append(name, value) {
      const key = name.toLowerCase();
      const previous = map.get(key);
      map.set(key, previous === undefined ? value : `${previous}, ${value}`);
    },
    delete: (name) => void map.delete(name.toLowerCase()),
    get: (name) => map.get(name.toLowerCase()) ?? null,
    has: (name) => map.has(name.toLowerCase()),
    set: (name, value) => void map.set(name.toLowerCase(), value),
    entries: () => map.entries(),
    keys: () => map.keys(),
    values: () => map.values(),
    [Symbol.iterator]: () => map.entries(),
  };
}
