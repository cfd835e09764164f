import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ConfigError,
  booleanFlag,
  parseConfig,
  portSchema,
  sharedEnvSchema,
  toPlatformOptions,
  type PlatformOptions,
} from '../../lib/config';
import { REPO_ROOT } from '../../lib/graphql';
import type { BreakerOptions } from '../../lib/resilience';
import { parseRateLimit, type RateLimitOptions } from './rateLimits';
import type { AuthorizeSubscription } from './subscriptions';
import {
  defaultExplorerMode,
  EXPLORER_MODES,
  type ExplorerOptions,
} from './explorer/explorerOptions';

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

const flag = booleanFlag.optional();

/** `points/seconds`, e.g. `100/1` (see gateway/src/rateLimits). */
const rateLimit = z
  .string()
  .transform((value, ctx) => {
    try {
      return parseRateLimit(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  })
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
  /** Explorer on `GET /graphql` (gateway/src/explorer). Default: auto in development, off in production. */
  GATEWAY_EXPLORER: z.enum(EXPLORER_MODES).optional(),
  /** What `auto` probes to tell whether Apollo Sandbox can load (its CDN script). */
  GATEWAY_EXPLORER_PROBE_URL: z.url().optional(),
  GATEWAY_EXPLORER_PROBE_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).optional(),
  GATEWAY_EXPLORER_REPROBE_MS: z.coerce.number().int().min(1_000).optional(),
  /** Lets @apollo/gateway export its own usage telemetry to Apollo (off: machines may be offline). */
  APOLLO_GATEWAY_TELEMETRY: flag,
  SUBSCRIPTIONS_ENABLED: flag,
  SUBSCRIPTION_CLIENT_BUFFER: z.coerce.number().int().min(1).max(100_000).default(100),
  /** How long a socket may take to send `connection_init` before it is closed 4408. */
  SUBSCRIPTION_INIT_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(30_000),
  JWT_SECRET: z.string().min(16).optional(),
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  /** Comma-separated operation types that need a verified token, e.g. `mutation,subscription`. */
  REQUIRE_AUTH: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['query', 'mutation', 'subscription']))),
  /** HMAC secret signing forwarded claims; subgraphs are given the same GATEWAY_SIGNING_SECRET. */
  GATEWAY_SIGNING_SECRET: z.string().min(16).optional(),
  MAX_DEPTH: z.coerce.number().int().min(1).default(15),
  MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  MAX_COST: z.coerce.number().int().min(1).default(10_000),
  /** Operations allowed in one batched HTTP request; 1 turns batching off. */
  MAX_BATCH: z.coerce.number().int().min(1).max(100).default(1),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 100kb or 1mb')
    .default('1mb'),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  /** Automatic persisted queries (in-memory cache). */
  PERSISTED_QUERIES: flag,
  /** JSON file with an array of sha256 hashes: only those persisted queries may run. */
  SAFELIST_PATH: z.string().optional(),
  QUERY_PLAN_CACHE_MIB: z.coerce.number().int().min(1).max(4096).default(30),
  /** Processes serving the gateway's port (node:cluster); `auto` = one per core. */
  GATEWAY_WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)])
    .default(1)
    .transform((value) => (value === 'auto' ? availableParallelism() : value)),
  /** In multi-core mode, the primary's port for `/metrics` summed over workers (off when unset). */
  GATEWAY_CLUSTER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Circuit breakers around subgraph fetches (docs/resilience.md). Default: on. */
  GATEWAY_BREAKERS: flag,
  GATEWAY_BREAKER_ERROR_PERCENT: z.coerce.number().min(0).max(100).optional(),
  GATEWAY_BREAKER_VOLUME: z.coerce.number().int().min(0).optional(),
  GATEWAY_BREAKER_RESET_MS: z.coerce.number().int().min(1).optional(),
  GATEWAY_BREAKER_WINDOW_MS: z.coerce.number().int().min(1).optional(),
  /** Inbound rate limits per client and operation type (docs/resilience.md). Default: on. */
  GATEWAY_RATE_LIMITS: flag,
  GATEWAY_RATE_LIMIT_QUERY: rateLimit,
  GATEWAY_RATE_LIMIT_MUTATION: rateLimit,
  GATEWAY_RATE_LIMIT_SUBSCRIPTION: rateLimit,
  /** The pipeline board at `/board` (docs/board.md). Default: on outside production. */
  GATEWAY_BOARD: flag,
});

/** Drops unset options, so the defaults apply (`exactOptionalPropertyTypes`-safe). */
function definedOnly<T extends Record<string, unknown>>(
  options: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** Reads a safelist file: a JSON array of sha256 hex hashes. */
function readSafelist(path: string): string[] {
  const parsed = z
    .array(z.string().regex(/^[0-9a-f]{64}$/))
    .safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`SAFELIST_PATH: expected a JSON array of sha256 hex hashes in ${path}`);
  return parsed.data;
}

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
  /** @apollo/gateway's own data-collection export to Apollo. @default false */
  apolloTelemetry?: boolean;
  /**
   * The explorer served to browsers on `GET /graphql`. Without a mode: Apollo Sandbox in
   * development, none in production (a Studio link when `apollo` names a graph).
   */
  explorer?: ExplorerOptions;
  subscriptions?: {
    /** Serve graphql-ws on `/graphql` and consume events from Kafka. @default true */
    enabled?: boolean;
    /** Results buffered per client before it is closed with 4290. @default 100 */
    clientBuffer?: number;
    /**
     * Time a new socket has to send `connection_init` before graphql-ws closes it 4408. Generous:
     * a loaded gateway accepting a thousand sockets at once reads their init messages late.
     * @default 30000
     */
    connectionInitTimeoutMs?: number;
  };
  /** JWT verification: exactly one of secret, jwksUrl, jwks. */
  jwt?: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  /** Operation types refused without a verified token. @default [] */
  requireAuthFor?: ('query' | 'mutation' | 'subscription')[];
  /** Signs forwarded claims for subgraphs. */
  signingSecret?: string;
  limits?: {
    maxDepth?: number;
    maxAliases?: number;
    maxCost?: number;
    maxBatch?: number;
    bodyLimit?: string;
  };
  /** @default 10000 */
  subgraphTimeoutMs?: number;
  /** @default true */
  persistedQueries?: boolean;
  /** Allowed persisted query hashes (safelist mode). */
  safelist?: string[];
  /** @default 30 */
  queryPlanCacheMiB?: number;
  /**
   * Multi-core mode: the number of worker processes sharing the port. Each worker has its own
   * Kafka feed of subscription events, so subscriptions stay correct on any worker. @default 1
   */
  workers?: number;
  /** Multi-core mode: port of the primary's aggregated `/metrics`. */
  clusterMetricsPort?: number;
  /**
   * Circuit breakers, one per subgraph (thresholds default to lib/resilience's
   * `defaultBreakerOptions`). @default { enabled: true }
   */
  breakers?: Partial<BreakerOptions> & { enabled?: boolean };
  /** Inbound rate limits (defaults: `defaultRateLimitOptions` in gateway/src/rateLimits). */
  rateLimits?: Partial<RateLimitOptions>;
  /**
   * Serve the pipeline board (gateway/ui/board) at `/board`. The page is static; its data goes
   * through `/graphql` with the user's token, so it sees what the token may see.
   * @default env !== 'production'
   */
  board?: boolean;
  /** Per-resource subscription authorization (e.g. may this user watch this run?); code-only option. */
  authorizeSubscription?: AuthorizeSubscription;
}

/** Parses and validates the gateway's environment once at start-up. */
export function gatewayOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): GatewayOptions {
  const parsed = parseConfig(gatewayEnvSchema, env);
  // Default: the larger of 10 s and 1.5 × the timeout (createGatewayResilience): a hanging
  // subgraph's failures must land inside the window that counted their fires.
  if (
    parsed.GATEWAY_BREAKER_WINDOW_MS !== undefined &&
    parsed.GATEWAY_BREAKER_WINDOW_MS <= parsed.SUBGRAPH_TIMEOUT_MS
  )
    throw new ConfigError([
      `GATEWAY_BREAKER_WINDOW_MS: expected more than SUBGRAPH_TIMEOUT_MS (${parsed.SUBGRAPH_TIMEOUT_MS}), or a hanging subgraph never opens its breaker (got: ${parsed.GATEWAY_BREAKER_WINDOW_MS})`,
    ]);
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
    apolloTelemetry: parsed.APOLLO_GATEWAY_TELEMETRY ?? false,
    explorer: definedOnly({
      // Unset in production keeps the Studio link for a managed graph (gateway/src/landingPage.ts).
      mode:
        parsed.GATEWAY_EXPLORER ??
        (parsed.NODE_ENV === 'production' ? undefined : defaultExplorerMode(parsed.NODE_ENV)),
      probeUrl: parsed.GATEWAY_EXPLORER_PROBE_URL,
      probeTimeoutMs: parsed.GATEWAY_EXPLORER_PROBE_TIMEOUT_MS,
      reprobeIntervalMs: parsed.GATEWAY_EXPLORER_REPROBE_MS,
    }),
    subscriptions: {
      enabled: parsed.SUBSCRIPTIONS_ENABLED ?? true,
      clientBuffer: parsed.SUBSCRIPTION_CLIENT_BUFFER,
      connectionInitTimeoutMs: parsed.SUBSCRIPTION_INIT_TIMEOUT_MS,
    },
    ...((parsed.JWT_SECRET || parsed.JWT_JWKS_URL) && {
      jwt: {
        secret: parsed.JWT_SECRET,
        jwksUrl: parsed.JWT_JWKS_URL,
        issuer: parsed.JWT_ISSUER,
        audience: parsed.JWT_AUDIENCE,
      },
    }),
    requireAuthFor: parsed.REQUIRE_AUTH,
    signingSecret: parsed.GATEWAY_SIGNING_SECRET,
    limits: {
      maxDepth: parsed.MAX_DEPTH,
      maxAliases: parsed.MAX_ALIASES,
      maxCost: parsed.MAX_COST,
      maxBatch: parsed.MAX_BATCH,
      bodyLimit: parsed.BODY_LIMIT,
    },
    subgraphTimeoutMs: parsed.SUBGRAPH_TIMEOUT_MS,
    persistedQueries: parsed.PERSISTED_QUERIES ?? true,
    ...(parsed.SAFELIST_PATH && { safelist: readSafelist(parsed.SAFELIST_PATH) }),
    queryPlanCacheMiB: parsed.QUERY_PLAN_CACHE_MIB,
    workers: parsed.GATEWAY_WORKERS,
    ...(parsed.GATEWAY_CLUSTER_METRICS_PORT !== undefined && {
      clusterMetricsPort: parsed.GATEWAY_CLUSTER_METRICS_PORT,
    }),
    breakers: definedOnly({
      enabled: parsed.GATEWAY_BREAKERS ?? true,
      errorThresholdPercentage: parsed.GATEWAY_BREAKER_ERROR_PERCENT,
      volumeThreshold: parsed.GATEWAY_BREAKER_VOLUME,
      resetTimeoutMs: parsed.GATEWAY_BREAKER_RESET_MS,
      rollingCountTimeoutMs: parsed.GATEWAY_BREAKER_WINDOW_MS,
    }),
    board: parsed.GATEWAY_BOARD ?? parsed.NODE_ENV !== 'production',
    rateLimits: definedOnly({
      enabled: parsed.GATEWAY_RATE_LIMITS ?? true,
      query: parsed.GATEWAY_RATE_LIMIT_QUERY,
      mutation: parsed.GATEWAY_RATE_LIMIT_MUTATION,
      subscription: parsed.GATEWAY_RATE_LIMIT_SUBSCRIPTION,
    }),
  };
}
