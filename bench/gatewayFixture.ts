import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import { gatewayOptionsFromEnv, startGateway } from '../gateway/src';
import { startPlainGateway } from '../test/fixtures/foreign-supergraph/plainGateway';
import { testEnv } from '../test/utils/servicesEnv';

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])`;

/** Four subgraphs: catalog owns items and users, pricing, inventory (items and parts), reviews. */
const SDL = {
  catalog: /* GraphQL */ `
    ${LINK}
    type Item @key(fields: "id") {
      id: ID!
      name: String!
      tags: [String!]!
      "A list of lists."
      dimensions: [[Int!]!]!
      parts: [Part!]!
    }
    type Part @key(fields: "sku") {
      sku: String!
      label: String!
    }
    type User @key(fields: "id") {
      id: ID!
      name: String!
    }
    type Query {
      items(count: Int!): [Item!]!
    }
  `,
  pricing: /* GraphQL */ `
    ${LINK}
    type Item @key(fields: "id") {
      id: ID!
      price: Price!
    }
    type Price {
      amount: Float!
      currency: String!
      "Quarterly price history per year: a list of lists."
      history: [[Float!]!]!
    }
  `,
  inventory: /* GraphQL */ `
    ${LINK}
    type Part @key(fields: "sku") {
      sku: String!
      stock: Int!
      bins: [String!]!
    }
    type Item @key(fields: "id") {
      id: ID!
      inStock: Boolean!
    }
  `,
  reviews: /* GraphQL */ `
    ${LINK}
    type Item @key(fields: "id") {
      id: ID!
      reviews: [Review!]!
    }
    type Review {
      id: ID!
      rating: Int!
      body: String!
      author: User!
    }
    type User @key(fields: "id") {
      id: ID!
    }
  `,
} as const;

type SubgraphName = keyof typeof SDL;

/**
 * The large nested query of the benchmark: entities of all four subgraphs, entities inside lists
 * (parts), a second-level entity fetch (review authors back to catalog) and lists of lists.
 */
export const LARGE_QUERY = /* GraphQL */ `
  query Large($count: Int!) {
    items(count: $count) {
      id
      name
      tags
      dimensions
      inStock
      parts {
        sku
        label
        stock
        bins
      }
      price {
        amount
        currency
        history
      }
      reviews {
        id
        rating
        body
        author {
          id
          name
        }
      }
    }
  }
`;

/** Variables of {@link LARGE_QUERY} giving a ~90 KB response. */
export const LARGE_VARIABLES = { count: 150 };

const itemIndex = (id: string) => Number(id.slice(5));

const RESOLVERS: Record<SubgraphName, GraphQLResolverMap<unknown>> = {
  catalog: {
    Query: {
      items: (_: unknown, { count }: { count: number }) =>
        Array.from({ length: count }, (_, i) => catalogItem(i)),
    },
    Item: { __resolveReference: (ref: { id: string }) => catalogItem(itemIndex(ref.id)) },
    Part: { __resolveReference: (ref: { sku: string }) => ({ sku: ref.sku, label: ref.sku }) },
    User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `User ${ref.id}` }) },
  } as never,
  pricing: {
    Item: {
      __resolveReference: (ref: { id: string }) => ({
        id: ref.id,
        price: {
          amount: itemIndex(ref.id) * 1.25,
          currency: 'EUR',
          history: [
            [1.5, 2.5, 3.5, 4.5],
            [5.5, 6.5, 7.5, 8.5],
          ],
        },
      }),
    },
  } as never,
  inventory: {
    Part: {
      __resolveReference: (ref: { sku: string }) => ({
        sku: ref.sku,
        stock: ref.sku.length,
        bins: ['A1', 'B2'],
      }),
    },
    Item: {
      __resolveReference: (ref: { id: string }) => ({
        id: ref.id,
        inStock: itemIndex(ref.id) % 3 !== 0,
      }),
    },
  } as never,
  reviews: {
    Item: {
      __resolveReference: (ref: { id: string }) => ({
        id: ref.id,
        reviews: [0, 1].map((r) => ({
          id: `${ref.id}-r${r}`,
          rating: (itemIndex(ref.id) + r) % 5,
          body: `Review ${r} of ${ref.id}`,
          author: { id: `u${(itemIndex(ref.id) + r) % 20}` },
        })),
      }),
    },
  } as never,
};

function catalogItem(i: number) {
  return {
    id: `item-${i}`,
    name: `Item number ${i}`,
    tags: ['alpha', 'beta', `t${i % 7}`],
    dimensions: [
      [i, i + 1],
      [i + 2, i + 3],
    ],
    parts: Array.from({ length: 3 }, (_, p) => ({ sku: `sku-${i}-${p}`, label: `part ${p}` })),
  };
}

/** Options of {@link startBenchSubgraphs}. */
export interface BenchSubgraphsOptions {
  /**
   * Answer a request body seen before with the bytes computed the first time, so the subgraphs
   * cost next to nothing and the benchmark measures the gateways (both gateways send the same
   * bodies). Off: every request is executed by @apollo/subgraph. @default true
   */
  memoize?: boolean;
}

/** Four @apollo/subgraph servers on loopback and their composed supergraph. */
export interface BenchSubgraphs {
  supergraphSdl: string;
  stop(): Promise<void>;
}

/** Starts one subgraph: Apollo Server over node:http (no express: the subgraphs are not measured). */
async function startSubgraph(name: SubgraphName, memoize: boolean) {
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs: parse(SDL[name]), resolvers: RESOLVERS[name] }]),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const memo = new Map<string, { status: number; body: string }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const hit = memoize ? memo.get(raw) : undefined;
      if (hit) {
        res.writeHead(hit.status, { 'content-type': 'application/json' }).end(hit.body);
        return;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(key, value);
      }
      apollo
        .executeHTTPGraphQLRequest({
          httpGraphQLRequest: {
            method: req.method ?? 'POST',
            headers,
            search: '',
            body: JSON.parse(raw) as unknown,
          },
          context: async () => ({}),
        })
        .then((response) => {
          if (response.body.kind !== 'complete') throw new Error('unexpected chunked response');
          const status = response.status ?? 200;
          if (memoize) memo.set(raw, { status, body: response.body.string });
          res.writeHead(status, { 'content-type': 'application/json' }).end(response.body.string);
        })
        .catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await apollo.stop();
    },
  };
}

/** Starts the benchmark's four subgraphs (see {@link LARGE_QUERY}). */
export async function startBenchSubgraphs(
  options: BenchSubgraphsOptions = {},
): Promise<BenchSubgraphs> {
  const memoize = options.memoize ?? true;
  const names = Object.keys(SDL) as SubgraphName[];
  const servers = await Promise.all(names.map((name) => startSubgraph(name, memoize)));
  const composition = composeServices(
    servers.map(({ name, url }) => ({ name, url, typeDefs: parse(SDL[name]) })),
  );
  if (composition.errors) throw new Error(composition.errors.map((e) => e.message).join('\n'));
  return {
    supergraphSdl: composition.supergraphSdl,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/** What a benchmark child process serves (see {@link serveBenchRole}). */
export type BenchRole = 'subgraphs' | 'ours' | 'plain';

/** Message a benchmark child sends its parent once it serves. */
export interface BenchRoleReady {
  ready: true;
  /** GraphQL endpoint of a gateway role. */
  url?: string;
  /** Supergraph of the subgraphs role. */
  supergraphSdl?: string;
}

/**
 * Serves one role of the HTTP benchmark in this process (a child forked by bench/gateway.ts, so
 * the load generator, the subgraphs and each gateway do not share a CPU profile or an event loop)
 * and stops when the parent disconnects.
 */
export async function serveBenchRole(role: BenchRole): Promise<void> {
  const send = (message: BenchRoleReady) => process.send?.(message);
  let stop: () => Promise<void>;
  switch (role) {
    case 'subgraphs': {
      const subgraphs = await startBenchSubgraphs({
        memoize: process.env.BENCH_MEMOIZE !== 'false',
      });
      stop = subgraphs.stop;
      send({ ready: true, supergraphSdl: subgraphs.supergraphSdl });
      break;
    }
    case 'ours': {
      const gateway = await startGateway(
        gatewayOptionsFromEnv(
          testEnv({
            NODE_ENV: 'production',
            SUPERGRAPH_PATH: process.env.BENCH_SUPERGRAPH_PATH ?? '',
            SUPERGRAPH_WATCH: 'false',
            SUBSCRIPTIONS_ENABLED: 'false',
            MAX_COST: '1000000',
            LOG_LEVEL: 'warn',
          }),
        ),
      );
      stop = gateway.stop;
      send({ ready: true, url: gateway.graphqlUrl });
      break;
    }
    case 'plain': {
      const { readFileSync } = await import('node:fs');
      const gateway = await startPlainGateway(
        readFileSync(process.env.BENCH_SUPERGRAPH_PATH ?? '', 'utf8'),
      );
      stop = gateway.stop;
      send({ ready: true, url: gateway.url });
      break;
    }
    default:
      throw new Error(`expected a bench role, but got: ${String(role satisfies never)}`);
  }
  // The parent asks for this process's CPU time around each run: CPU per request does not
  // depend on what else the machine runs, where requests/s does.
  process.on('message', (message: { cpu?: boolean }) => {
    if (message.cpu) {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system });
    }
  });
  process.once('disconnect', () => {
    void stop().then(() => process.exit(0));
  });
}
