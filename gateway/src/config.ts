import { join } from 'node:path';
import { z } from 'zod';
import {
  parseConfig,
  portSchema,
  sharedEnvSchema,
  toPlatformOptions,
  type PlatformOptions,
} from '../../lib/config';
import { REPO_ROOT } from '../../lib/graphql';

/** `name=url,name=url` → record; lets tests and deployments point at subgraphs elsewhere. */
const subgraphUrls = z
  .string()
  .transform((value, ctx) => {
    const entries = value
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('='));
    for (const entry of entries) {
      if (entry.length !== 2 || !/^https?:\/\//.test(entry[1] ?? '')) {
        ctx.addIssue({
          code: 'custom',
          message: `expected name=http(s)://url pairs, but got: ${entry.join('=')}`,
        });
        return z.NEVER;
      }
    }
    return Object.fromEntries(entries) as Record<string, string>;
  })
  .default({});

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1')
  .optional();

const gatewayEnvSchema = sharedEnvSchema.extend({
  GATEWAY_PORT: portSchema(4000),
  HOST: z.string().default('127.0.0.1'),
  SUPERGRAPH_PATH: z.string().default(join(REPO_ROOT, 'schema', 'supergraph.graphql')),
  SUBGRAPH_URLS: subgraphUrls,
  /** Watch SUPERGRAPH_PATH and hot-reload it. Default: on outside production. */
  SUPERGRAPH_WATCH: flag,
  /** Development mode: compose from the running subgraphs (IntrospectAndCompose) instead of a file. */
  SUPERGRAPH_INTROSPECT: flag,
  APOLLO_KEY: z.string().min(1).optional(),
  APOLLO_GRAPH_REF: z.string().min(1).optional(),
  INTROSPECTION: flag,
  SUBSCRIPTIONS_ENABLED: flag,
  SUBSCRIPTION_CLIENT_BUFFER: z.coerce.number().int().min(1).max(100_000).default(100),
});

/** Options of the gateway role. */
export interface GatewayOptions {
  /** Kafka (subscription events) and shared settings. */
  platform: PlatformOptions;
  env: 'development' | 'production' | 'test';
  logLevel: z.infer<typeof gatewayEnvSchema>['LOG_LEVEL'];
  port: number;
  host: string;
  supergraphPath: string;
  /** Overrides of the routing URLs recorded in the supergraph, by subgraph name. */
  subgraphUrls: Record<string, string>;
  /** Hot-reload the supergraph file when it changes. @default env !== 'production' */
  watchSupergraph?: boolean;
  /** Compose from the running subgraphs (`subgraphUrls`) instead of reading a file. @default false */
  introspectSubgraphs?: boolean;
  /** Managed federation (Apollo GraphOS): used instead of a file when both are set. */
  apollo?: { key: string; graphRef: string };
  /** @default env !== 'production' */
  introspection?: boolean;
  subscriptions?: {
    /** Serve graphql-ws on `/graphql` and consume events from Kafka. @default true */
    enabled?: boolean;
    /** Results buffered per client before it is closed with 4290. @default 100 */
    clientBuffer?: number;
  };
}

/** Parses and validates the gateway's environment once at start-up. */
export function gatewayOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): GatewayOptions {
  const parsed = parseConfig(gatewayEnvSchema, env);
  return {
    platform: toPlatformOptions(parsed),
    env: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    port: parsed.GATEWAY_PORT,
    host: parsed.HOST,
    supergraphPath: parsed.SUPERGRAPH_PATH,
    subgraphUrls: parsed.SUBGRAPH_URLS,
    watchSupergraph: parsed.SUPERGRAPH_WATCH ?? parsed.NODE_ENV !== 'production',
    introspectSubgraphs: parsed.SUPERGRAPH_INTROSPECT ?? false,
    ...(parsed.APOLLO_KEY &&
      parsed.APOLLO_GRAPH_REF && {
        apollo: { key: parsed.APOLLO_KEY, graphRef: parsed.APOLLO_GRAPH_REF },
      }),
    introspection: parsed.INTROSPECTION ?? parsed.NODE_ENV !== 'production',
    subscriptions: {
      enabled: parsed.SUBSCRIPTIONS_ENABLED ?? true,
      clientBuffer: parsed.SUBSCRIPTION_CLIENT_BUFFER,
    },
  };
}
