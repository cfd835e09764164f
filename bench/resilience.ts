/**
 * The gateway's extra cost with subgraph circuit breakers and inbound rate limits on, as a ratio
 * to the same gateway with both off, in one process and one run (loopback, bounded, stops by
 * itself). Two gateways over the same four foreign subgraphs; autocannon drives each in turn
 * (alternating rounds, so drift in the machine's load hits both) with a cross-subgraph query.
 *   npx tsx bench/resilience.ts
 * Environment: BENCH_SECONDS (5) per case, BENCH_ROUNDS (2), BENCH_CONNECTIONS (20).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { gatewayOptionsFromEnv, startGateway } from '../gateway/src';
import { createLogger } from '../lib/logging';
import { startForeignSubgraphs } from '../test/fixtures/foreign-supergraph/subgraphs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const BODY = JSON.stringify({
  query:
    '{ me { id name reviews { body product { upc name inStock } } } topProducts { upc name } }',
});

async function load(url: string, seconds: number) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

async function main() {
  process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
  const subgraphs = await startForeignSubgraphs();
  const path = join(mkdtempSync(join(tmpdir(), 'bench-resilience-')), 'supergraph.graphql');
  writeFileSync(path, subgraphs.supergraphSdl);
  const logger = createLogger({ name: 'bench', level: 'fatal' });
  const env = (on: boolean) =>
    gatewayOptionsFromEnv({
      NODE_ENV: 'production',
      GATEWAY_PORT: '0',
      SUPERGRAPH_PATH: path,
      SUPERGRAPH_WATCH: 'false',
      SUBSCRIPTIONS_ENABLED: 'false',
      GATEWAY_BREAKERS: String(on),
      GATEWAY_RATE_LIMITS: String(on),
    });
  const on = await startGateway(env(true), logger);
  const off = await startGateway(env(false), logger);
  await load(on.graphqlUrl, 2); // warm-up: plans, JIT, connections
  await load(off.graphqlUrl, 2);
  const totals = { on: 0, off: 0 };
  console.log(
    'round | on req/s | off req/s | ratio on/off | on p99 ms | off p99 ms | non-2xx on/off | load avg',
  );
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    const results: Partial<Record<'on' | 'off', Awaited<ReturnType<typeof load>>>> = {};
    for (const which of order) {
      results[which] = await load((which === 'on' ? on : off).graphqlUrl, SECONDS);
    }
    const a = results.on!;
    const b = results.off!;
    totals.on += a.rps;
    totals.off += b.rps;
    console.log(
      `${round} | ${a.rps.toFixed(0)} | ${b.rps.toFixed(0)} | ${(a.rps / b.rps).toFixed(3)} | ${a.p99} | ${b.p99} | ${a.non2xx}/${b.non2xx} | ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  }
  console.log(
    `\nthroughput ratio on/off over ${ROUNDS} rounds: ${(totals.on / totals.off).toFixed(3)} (overhead ${((1 - totals.on / totals.off) * 100).toFixed(1)}%)`,
  );
  await on.stop();
  await off.stop();
  await subgraphs.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
