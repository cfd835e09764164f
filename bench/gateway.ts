/**
 * Gateway benchmark (loopback, bounded, stops by itself):
 *  1. HTTP: requests/s and p99 of our gateway vs a plain @apollo/gateway over the same supergraph
 *     and four subgraphs, at 1 and 50 connections, on a ~90 KB nested federated response. The
 *     subgraphs, each gateway and the load generator run in separate processes; responses of both
 *     gateways are checked to be deep-equal first.
 *  2. Subscriptions (real Kafka): publish → subscriber latency p50/p99 with 1, 100 and 1000
 *     subscribers, and heap per idle subscription.
 * Run the built JS in production mode:
 *   npx tsc -p tsconfig.json --noEmit false --sourceMap false --outDir .cache/bench-dist
 *   NODE_ENV=production node .cache/bench-dist/bench/gateway.js
 * Environment: BENCH_SECONDS (5) per HTTP case, BENCH_ROUNDS (1) alternating passes,
 * BENCH_PART (`http`, `subscriptions`, both by default), BENCH_MEMOIZE=false (subgraphs execute
 * every request instead of answering a body seen before), BENCH_PROFILE=ours|plain (writes a
 * V8 CPU profile of that gateway's process under .cache/profiles).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { collect } from '../test/integration/gateway/fixtures/collect';
import { startProgressFixture } from '../test/integration/gateway/fixtures/progressSubgraphs';
import {
  LARGE_QUERY,
  LARGE_VARIABLES,
  serveBenchRole,
  type BenchRole,
  type BenchRoleReady,
} from './gatewayFixture';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const BODY = JSON.stringify({ query: LARGE_QUERY, variables: LARGE_VARIABLES });
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const load1 = () => loadavg()[0]!.toFixed(2);

/** CPU time (µs) a role's process has used so far. */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: { cpuMicros?: number }) => {
      if (message.cpuMicros === undefined) return;
      child.off('message', onMessage);
      resolve(message.cpuMicros);
    };
    child.on('message', onMessage);
    child.send({ cpu: true });
  });
}

async function load(url: string, connections: number, seconds = SECONDS) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    // What the errors were: failed connections, non-2xx answers, autocannon's 10 s timeouts.
    errorKinds: `${result.errors - result.timeouts}e ${result.non2xx}n ${result.timeouts}t`,
  };
}

/** Forks this script as `role` and resolves with its ready message. */
function startRole(
  role: BenchRole,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; ready: BenchRoleReady }> {
  const profile = process.env.BENCH_PROFILE === role;
  const child = fork(process.argv[1]!, [], {
    env: { ...process.env, NODE_ENV: 'production', BENCH_ROLE: role, ...env },
    execArgv: [
      ...process.execArgv,
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${join('.cache', 'profiles')}`] : []),
    ],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (ready: BenchRoleReady) => resolve({ child, ready }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

const post = async (url: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  return { status: response.status, text: await response.text() };
};

async function httpBench() {
  const subgraphs = await startRole('subgraphs');
  const path = join(mkdtempSync(join(tmpdir(), 'gw-bench-')), 'supergraph.graphql');
  writeFileSync(path, subgraphs.ready.supergraphSdl ?? '');
  const [ours, plain] = await Promise.all([
    startRole('ours', { BENCH_SUPERGRAPH_PATH: path }),
    startRole('plain', { BENCH_SUPERGRAPH_PATH: path }),
  ]);
  const oursUrl = ours.ready.url ?? '';
  const plainUrl = plain.ready.url ?? '';
  const [a, b] = await Promise.all([post(oursUrl), post(plainUrl)]);
  const parsed = JSON.parse(a.text) as { errors?: unknown };
  if (a.status !== 200 || parsed.errors)
    throw new Error(`ours answered ${a.status}: ${a.text.slice(0, 500)}`);
  // Byte-identical (field order included), or at least deep-equal.
  const identical =
    a.text === b.text
      ? 'byte-identical'
      : isDeepStrictEqual(parsed, JSON.parse(b.text))
        ? 'deep-equal'
        : '';
  if (!identical) throw new Error('the gateways answer differently: not benchmarking');
  console.log(
    `\nHTTP: 4 subgraphs${process.env.BENCH_MEMOIZE === 'false' ? '' : ' (memoized)'}, response ${(a.text.length / 1024).toFixed(1)} KB ours / ${(b.text.length / 1024).toFixed(1)} KB plain, ${identical}, ${SECONDS}s per case, ${ROUNDS} round(s)`,
  );
  console.log(
    'round | connections | ours req/s | plain req/s | ratio | ours CPU ms/req | plain CPU ms/req | CPU ratio | subgraphs CPU ms/req (ours/plain run) | ours p99 ms | plain p99 ms | errors ours/plain | load avg',
  );
  // Requests abandoned when a run ends keep a server busy: let both drain before the next run.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 2_000));
  await load(oursUrl, 4, 3); // warm-up of plans, JIT and connections, not recorded
  await load(plainUrl, 4, 3);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const connections of [1, 50]) {
      // Alternate which gateway goes first, so a drift in machine load favours neither.
      const order = round % 2 === 1 ? [oursUrl, plainUrl] : [plainUrl, oursUrl];
      type Run = Awaited<ReturnType<typeof load>> & { cpuMs: number; subgraphCpuMs: number };
      const results = new Map<string, Run>();
      for (const url of order) {
        const child = url === oursUrl ? ours.child : plain.child;
        await settle();
        const before = await cpuOf(child);
        const subgraphsBefore = await cpuOf(subgraphs.child);
        const result = await load(url, connections);
        const perRequest = (micros: number) => micros / 1000 / Math.max(1, result.requests);
        const cpuMs = perRequest((await cpuOf(child)) - before);
        const subgraphCpuMs = perRequest((await cpuOf(subgraphs.child)) - subgraphsBefore);
        results.set(url, { ...result, cpuMs, subgraphCpuMs });
      }
      const x = results.get(oursUrl)!;
      const y = results.get(plainUrl)!;
      console.log(
        `${round} | ${connections} | ${x.rps.toFixed(1)} | ${y.rps.toFixed(1)} | ${(x.rps / y.rps).toFixed(2)} | ${x.cpuMs.toFixed(2)} | ${y.cpuMs.toFixed(2)} | ${(y.cpuMs / x.cpuMs).toFixed(2)} | ${x.subgraphCpuMs.toFixed(2)}/${y.subgraphCpuMs.toFixed(2)} | ${x.p99} | ${y.p99} | ${x.errors}/${y.errors}${x.errors + y.errors > 0 ? ` (${x.errorKinds} / ${y.errorKinds})` : ''} | ${load1()}`,
      );
    }
  }
  for (const role of [ours, plain, subgraphs]) {
    const exited = new Promise((resolve) => role.child.once('exit', resolve));
    role.child.disconnect();
    await exited;
  }
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
  const part = process.env.BENCH_PART;
  if (part !== 'subscriptions') await httpBench();
  if (part !== 'http') await subscriptionBench();
}

const role = process.env.BENCH_ROLE as BenchRole | undefined;
(role ? serveBenchRole(role) : main()).then(
  () => {
    if (!role) process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
