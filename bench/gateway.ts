/**
 * Gateway benchmark (loopback, bounded, stops by itself):
 *  1. HTTP: requests/s and p99 of our gateway vs a plain @apollo/gateway over the same supergraph
 *     and subgraphs, at 1 and 50 connections, on a large nested federated response.
 *  2. Subscriptions (real Kafka): publish → subscriber latency p50/p99 with 1, 100 and 1000
 *     subscribers, and heap per idle subscription.
 * Run: `npx tsx bench/gateway.ts` (BENCH_SECONDS=5 per HTTP case by default).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { gatewayOptionsFromEnv, startGateway } from '../gateway/src';
import { startPlainGateway } from '../test/fixtures/foreign-supergraph/plainGateway';
import { collect } from '../test/integration/gateway/fixtures/collect';
import { startProgressFixture } from '../test/integration/gateway/fixtures/progressSubgraphs';
import { testEnv } from '../test/utils/servicesEnv';
import { LARGE_QUERY, startBenchSubgraphs } from './gatewayFixture';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function load(url: string, connections: number) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: SECONDS,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: LARGE_QUERY, variables: { count: 150 } }),
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function httpBench() {
  const subgraphs = await startBenchSubgraphs();
  const path = join(mkdtempSync(join(tmpdir(), 'gw-bench-')), 'supergraph.graphql');
  writeFileSync(path, subgraphs.supergraphSdl);
  const ours = await startGateway(
    gatewayOptionsFromEnv(
      testEnv({
        SUPERGRAPH_PATH: path,
        SUBSCRIPTIONS_ENABLED: 'false',
        MAX_COST: '1000000',
        LOG_LEVEL: 'warn',
      }),
    ),
  );
  const plain = await startPlainGateway(subgraphs.supergraphSdl);
  const size = (
    await (
      await fetch(ours.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: LARGE_QUERY, variables: { count: 150 } }),
      })
    ).text()
  ).length;
  console.log(`\nHTTP: response ${Math.round(size / 1024)} KB, ${SECONDS}s per case`);
  console.log(
    'connections | ours req/s | plain req/s | ratio | ours p99 ms | plain p99 ms | errors',
  );
  // Requests abandoned when a run ends keep the server busy: let both drain before the next run.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5_000));
  await load(ours.graphqlUrl, 1); // warm-up of plans and connections, not recorded
  await load(plain.url, 1);
  for (const connections of [1, 50]) {
    await settle();
    const a = await load(ours.graphqlUrl, connections);
    await settle();
    const b = await load(plain.url, connections);
    console.log(
      `${connections} | ${a.rps.toFixed(1)} | ${b.rps.toFixed(1)} | ${(a.rps / b.rps).toFixed(2)} | ${a.p99} | ${b.p99} | ${a.errors}/${b.errors}`,
    );
  }
  await ours.stop();
  await plain.stop();
  await subgraphs.stop();
}

const RUN_PROGRESS = `subscription ($runId: ID!) { runProgress(runId: $runId) { sequence kind run { id label } } }`;

async function subscriptionBench() {
  const fixture = await startProgressFixture();
  console.log(
    '\nSubscriptions (identical subscriptions share one feed): publish → receive latency',
  );
  console.log('subscribers | events | p50 ms | p99 ms');
  const clients = Array.from({ length: 10 }, () => fixture.client());
  for (const subscribers of [1, 100, 1000]) {
    const runId = `bench-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    const subs = Array.from({ length: subscribers }, (_, i) =>
      collect(clients[i % clients.length]!, RUN_PROGRESS, { runId }),
    );
    await Promise.all(subs.map((s) => s.waitFor(1, 60_000)));
    const latencies: number[] = [];
    const events = 20;
    for (let e = 0; e < events; e++) {
      const sent = performance.now();
      const before = subs.map((s) => s.results.length);
      await fixture.emit(runId, 'STEP_PROGRESSED');
      await Promise.all(
        subs.map(async (s, i) => {
          await s.waitFor((before[i] ?? 0) + 1, 30_000);
          latencies.push(performance.now() - sent);
        }),
      );
    }
    console.log(
      `${subscribers} | ${events} | ${percentile(latencies, 50).toFixed(1)} | ${percentile(latencies, 99).toFixed(1)}`,
    );
    subs.forEach((s) => s.unsubscribe());
  }
  // Idle subscriptions on distinct runs: one feed each (the worst case for memory).
  const idle = 1000;
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const idleSubs = [];
  for (let i = 0; i < idle; i++) {
    idleSubs.push(
      collect(clients[i % clients.length]!, RUN_PROGRESS, { runId: `idle-${randomUUID()}` }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  global.gc?.();
  const perSub = (process.memoryUsage().heapUsed - heapBefore) / idle;
  console.log(
    `\nIdle subscriptions: ${idle} on distinct runs, heap ${(perSub / 1024).toFixed(1)} KB per subscription (gateway + in-process client${global.gc ? '' : ', no --expose-gc'})`,
  );
  idleSubs.forEach((s) => s.unsubscribe());
  await fixture.stop();
}

async function main() {
  process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
  await httpBench();
  await subscriptionBench();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
