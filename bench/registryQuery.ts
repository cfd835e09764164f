/**
 * Benchmark: a representative cross-subgraph query (50 components with dependencies and impact)
 * through the gateway, and the registry-only part of it directly on the registry subgraph, in one
 * run on the real services. Also measures how much of a registry request is MongoDB time, which is
 * the most a cross-request component cache could save.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URI=mongodb://127.0.0.1:27017/ npx tsx bench/registryQuery.ts
 *
 * Env: BENCH_SECONDS (default 8), BENCH_CONNECTIONS (default 10).
 */
import mongoose from 'mongoose';
import { loadQuery, postQuery, startBenchStack } from './benchStack';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const COMPONENTS = 50;
const BASES = 10;

const REGISTRY_PART = /* GraphQL */ `
  query Components {
    components(first: ${COMPONENTS}) {
      edges { node { id name type version dependencies { id name version } dependents { id } } }
    }
  }
`;
/** The page alone: what the registry costs if dependency lookups were free (a perfect cache). */
const PAGE_ONLY = /* GraphQL */ `
  query Components {
    components(first: ${COMPONENTS}) { edges { node { id name type version } } }
  }
`;
const CROSS_SUBGRAPH = /* GraphQL */ `
  query Components {
    components(first: ${COMPONENTS}) {
      edges {
        node {
          id name type version
          dependencies { id name version }
          dependents { id }
          impact { transitiveDependentCount riskScore riskLevel }
          insights { eventCount }
        }
      }
    }
  }
`;

async function load(title: string, url: string, query: string) {
  const row = await loadQuery(title, url, query, { connections: CONNECTIONS, seconds: SECONDS });
  console.log(
    `${title.padEnd(34)} ${String(row.rps).padStart(6)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  errors ${row.errors}`,
  );
  return row;
}

async function main() {
  const { stack, suffix } = await startBenchStack();
  try {
    const bases: string[] = [];
    for (let i = 0; i < COMPONENTS; i++) {
      const isBase = i < BASES;
      const data = await postQuery(
        stack.gatewayUrl,
        `mutation ($input: RegisterComponentInput!) { registerComponent(input: $input) { component { id } } }`,
        {
          input: {
            name: `${isBase ? 'Base' : 'Composite'}${i}`,
            type: isBase ? 'ATOM' : 'MOLECULE',
            version: '1.0.0',
            dependencies: isBase ? [] : [bases[i % BASES], bases[(i + 3) % BASES]],
          },
        },
      );
      if (isBase)
        bases.push((data.registerComponent as { component: { id: string } }).component.id);
    }
    for (let known = 0; known < COMPONENTS;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const data = await postQuery(stack.gatewayUrl, `{ syncStatus { componentsKnown } }`);
      known = (data.syncStatus as { componentsKnown: number }).componentsKnown;
    }
    await postQuery(stack.gatewayUrl, CROSS_SUBGRAPH); // warm the query-plan cache

    console.log(`${COMPONENTS} components, ${CONNECTIONS} connections, ${SECONDS} s each`);
    const direct = await load(
      'registry subgraph (direct)',
      stack.registry.graphqlUrl,
      REGISTRY_PART,
    );
    const gateway = await load('gateway (cross-subgraph)', stack.gatewayUrl, CROSS_SUBGRAPH);
    const sameQuery = await load('gateway (registry part)', stack.gatewayUrl, REGISTRY_PART);
    const pageOnly = await load(
      'registry page only (cache bound)',
      stack.registry.graphqlUrl,
      PAGE_ONLY,
    );
    console.log(
      `a perfect component cache would at most take the direct registry query from ` +
        `${direct.rps} to ${pageOnly.rps} req/s (p50 ${direct.p50} → ${pageOnly.p50} ms)`,
    );
    console.log(
      `ratio direct/gateway: throughput ${(direct.rps / gateway.rps).toFixed(2)}x, ` +
        `p50 ${(gateway.p50 / direct.p50).toFixed(2)}x; same query via gateway: ` +
        `${(direct.rps / sameQuery.rps).toFixed(2)}x`,
    );

    // What a cross-request component cache could save: the registry's MongoDB round trips for this
    // query (page, dependencies batch, dependents batch), timed alone.
    const connection = await mongoose
      .createConnection(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/', {
        dbName: `bench${suffix}_registry`,
      })
      .asPromise();
    const components = connection.collection('components');
    const rounds = 200;
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) {
      const page = await components
        .find({ deletedAt: null })
        .sort({ createdAt: -1, _id: 1 })
        .limit(COMPONENTS)
        .toArray();
      const ids = page.map((doc) => doc._id);
      const depIds = [...new Set(page.flatMap((doc) => doc.dependencies as unknown as string[]))];
      await Promise.all([
        components.find({ _id: { $in: depIds as never[] }, deletedAt: null }).toArray(),
        components.find({ dependencies: { $in: ids }, deletedAt: null }).toArray(),
      ]);
    }
    const dbMs = Number(process.hrtime.bigint() - started) / 1e6 / rounds;
    console.log(
      `registry MongoDB time per request (3 commands, sequential client): ${dbMs.toFixed(2)} ms ` +
        `= ${((dbMs / direct.p50) * 100).toFixed(0)}% of the direct p50`,
    );
    await connection.close();
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
