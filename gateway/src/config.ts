import { join } from 'node:path';
import { z } from 'zod';
import { parseConfig, portSchema } from '../../lib/config';
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

const gatewayEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GATEWAY_PORT: portSchema(4000),
  HOST: z.string().default('127.0.0.1'),
  SUPERGRAPH_PATH: z.string().default(join(REPO_ROOT, 'schema', 'supergraph.graphql')),
  SUBGRAPH_URLS: subgraphUrls,
});

/** Options of the gateway role. */
export interface GatewayOptions {
  env: 'development' | 'production' | 'test';
  logLevel: z.infer<typeof gatewayEnvSchema>['LOG_LEVEL'];
  port: number;
  host: string;
  supergraphPath: string;
  /** Overrides of the routing URLs recorded in the supergraph, by subgraph name. */
  subgraphUrls: Record<string, string>;
}

/** Parses and validates the gateway's environment once at start-up. */
export function gatewayOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): GatewayOptions {
  const parsed = parseConfig(gatewayEnvSchema, env);
  return {
    env: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    port: parsed.GATEWAY_PORT,
    host: parsed.HOST,
    supergraphPath: parsed.SUPERGRAPH_PATH,
    subgraphUrls: parsed.SUBGRAPH_URLS,
  };
}
