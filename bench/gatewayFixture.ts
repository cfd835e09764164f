import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { startSubgraphServer, type RunningSubgraph } from '../lib/graphql';
import { createLogger } from '../lib/logging';

const CATALOG_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Item @key(fields: "id") {
    id: ID!
    name: String!
    tags: [String!]!
    parts: [Part!]!
  }
  type Part {
    sku: String!
    quantity: Int!
    label: String!
  }
  type Query {
    items(count: Int!): [Item!]!
  }
`;

const PRICING_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Item @key(fields: "id") {
    id: ID!
    price: Price!
  }
  type Price {
    amount: Float!
    currency: String!
    history: [Float!]!
  }
`;

/** The large nested query of the benchmark (~90 KB with count 150). */
export const LARGE_QUERY = /* GraphQL */ `
  query Large($count: Int!) {
    items(count: $count) {
      id
      name
      tags
      parts {
        sku
        quantity
        label
      }
      price {
        amount
        currency
        history
      }
    }
  }
`;

/** Two subgraphs whose entities join into a large nested response. */
export async function startBenchSubgraphs(): Promise<{
  supergraphSdl: string;
  stop(): Promise<void>;
}> {
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const item = (i: number) => ({
    id: `item-${i}`,
    name: `Item number ${i}`,
    tags: ['alpha', 'beta', 'gamma', `t${i % 7}`],
    parts: Array.from({ length: 5 }, (_, p) => ({
      sku: `sku-${i}-${p}`,
      quantity: p + 1,
      label: `part ${p} of ${i}`,
    })),
  });
  const servers: RunningSubgraph[] = [
    await startSubgraphServer({
      name: 'catalog',
      typeDefs: parse(CATALOG_SDL),
      resolvers: {
        Query: {
          items: (_: unknown, { count }: { count: number }) =>
            Array.from({ length: count }, (_, i) => item(i)),
        },
        Item: { __resolveReference: (ref: { id: string }) => item(Number(ref.id.slice(5))) },
      } as never,
      createContext: (base) => base,
      port: 0,
      host: '127.0.0.1',
      logger,
    }),
    await startSubgraphServer({
      name: 'pricing',
      typeDefs: parse(PRICING_SDL),
      resolvers: {
        Item: {
          __resolveReference: (ref: { id: string }) => ({
            id: ref.id,
            price: { amount: ref.id.length * 1.5, currency: 'EUR', history: [1, 2, 3, 4, 5, 6] },
          }),
        },
      } as never,
      createContext: (base) => base,
      port: 0,
      host: '127.0.0.1',
      logger,
    }),
  ];
  const [catalog, pricing] = servers as [RunningSubgraph, RunningSubgraph];
  const composition = composeServices([
    { name: 'catalog', typeDefs: parse(CATALOG_SDL), url: catalog.graphqlUrl },
    { name: 'pricing', typeDefs: parse(PRICING_SDL), url: pricing.graphqlUrl },
  ]);
  if (composition.errors) throw new Error(composition.errors.map((e) => e.message).join('\n'));
  return {
    supergraphSdl: composition.supergraphSdl,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
