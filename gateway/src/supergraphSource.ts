import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import {
  IntrospectAndCompose,
  type SupergraphManager,
  type SupergraphSdlHook,
} from '@apollo/gateway';
import type { Logger } from '../../lib/logging';
import type { GatewayOptions } from './config';

/** How often the supergraph file is polled (polling survives editors' atomic renames). */
const WATCH_INTERVAL_MS = 500;

/**
 * Chooses where the supergraph comes from: managed federation (APOLLO_KEY + APOLLO_GRAPH_REF:
 * ApolloGateway fetches it from Apollo's uplink), composition from the running subgraphs
 * (development), or a file — optionally watched, in which case a changed file is swapped in
 * through ApolloGateway's `update` callback while HTTP and WebSocket clients stay connected. An
 * invalid new file is logged and the previous supergraph keeps serving.
 */
export function supergraphSource(
  options: GatewayOptions,
  logger: Logger,
): { supergraphSdl?: SupergraphSdlHook | SupergraphManager } {
  if (options.apollo) return {};
  if (options.introspectSubgraphs) {
    return {
      supergraphSdl: new IntrospectAndCompose({
        subgraphs: Object.entries(options.subgraphUrls).map(([name, url]) => ({ name, url })),
        pollIntervalInMs: 2_000,
      }),
    };
  }
  const path = options.supergraphPath;
  return {
    supergraphSdl: async ({ update }) => {
      let current = await readFile(path, 'utf8');
      if (options.watchSupergraph) {
        watchFile(path, { interval: WATCH_INTERVAL_MS }, () => {
          readFile(path, 'utf8')
            .then((next) => {
              if (next === current || next.trim() === '') return;
              update(next);
              current = next;
              logger.info({ path }, 'supergraph reloaded');
            })
            .catch((error: unknown) => {
              logger.error(
                { err: error, path },
                'supergraph reload refused; keeping the previous one',
              );
            });
        });
      }
      return {
        supergraphSdl: current,
        cleanup: async () => unwatchFile(path),
      };
    },
  };
}
