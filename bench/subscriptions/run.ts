/**
 * Subscriptions at scale (issue 12, item 1): three processes on loopback, real Kafka.
 *   - this process: the fixture subgraphs (progress + labels, in memory) and the Kafka publisher;
 *   - bench/subscriptions/gatewayProcess.ts: the gateway under test, alone (`--expose-gc`);
 *   - bench/subscriptions/clients.ts: the load generator, alone (raw graphql-transport-ws sockets).
 * Both children run under `ulimit -n` raised to the hard limit (10,000 sockets each).
 *
 * Scenarios (bounded in count and time; the bench stops by itself):
 *   a) 10,000 concurrent subscribers: 1,000 on one run + 9 on each of 1,000 runs. Every client must
 *      get its snapshot, a contiguous sequence (3 STEP_PROGRESSED waves) and its COMPLETED +
 *      `complete`; counts init timeouts (4408), close codes, error frames, missing events.
 *   b) memory per idle subscriber: gateway heapUsed / RSS after GC with the 10,000 of (a) subscribed
 *      and idle, minus the same before they connected, divided by the subscribers (target ≤ 20 KB).
 *   c) 1,000 subscribers of one run, 100 events/s for BENCH_LATENCY_SECONDS: event → client latency
 *      (the event's `at`, set at publish, vs the client's receive time; same machine, same clock),
 *      p50/p99 (target p99 ≤ 100 ms on a quiet machine).
 * Every figure is printed with the load average at the time. A table goes to stdout and JSON to
 * .cache/bench-results/subscriptions-<time>.json.
 *
 * Run:
 *   bash scripts/services/up.sh && source .cache/run/services.env
 *   npx tsx bench/subscriptions/run.ts
 * Knobs (environment): BENCH_SCENARIOS=a,c  BENCH_HOT=1000  BENCH_RUNS=1000  BENCH_PER_RUN=9
 *   BENCH_WAVES=3  BENCH_CONNECT_CONCURRENCY=200 (handshakes in flight; 10000 = all at once, a
 *   thundering herd)  BENCH_RATE=100  BENCH_LATENCY_SECONDS=10
 *   BENCH_LATENCY_SUBSCRIBERS=1000  BENCH_WAIT_SECONDS=180 (per phase)  BENCH_GATEWAY_ENV='K=V,…'
 *   BENCH_RESULTS_DIR (default .cache/bench-results)
 *   BENCH_HEAP_SNAPSHOTS=1 (gateway heap snapshots before/with the idle subscribers of (a); compare
 *     with `node --max-old-space-size=10000 --import tsx bench/subscriptions/heapDiff.ts
 *     before.heapsnapshot idle.heapsnapshot 10000`; the idle snapshot of 10,000 is ~500 MB and
 *     stalls the gateway ~40 s, enough for graphql-ws's keep-alive to terminate some sockets)
 *   BENCH_GATEWAY_NODE_ARGS, BENCH_CLIENT_NODE_ARGS (e.g. '--cpu-prof --cpu-prof-dir=.cache/bench-results/prof';
 *     summarize with `npx tsx bench/subscriptions/profileSummary.ts <file>`)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { testEnv } from '../../test/utils/servicesEnv';
import { startBenchProgressFixture, type BenchProgressFixture } from './progressFixture';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'a,c').split(',');
const HOT = num('BENCH_HOT', 1000);
const RUNS = num('BENCH_RUNS', 1000);
const PER_RUN = num('BENCH_PER_RUN', 9);
const WAVES = num('BENCH_WAVES', 3);
const CONCURRENCY = num('BENCH_CONNECT_CONCURRENCY', 200);
const RATE = num('BENCH_RATE', 100);
const LATENCY_SECONDS = num('BENCH_LATENCY_SECONDS', 10);
const LATENCY_SUBSCRIBERS = num('BENCH_LATENCY_SUBSCRIBERS', 1000);
const WAIT_MS = num('BENCH_WAIT_SECONDS', 180) * 1000;
const ROOT = resolve(__dirname, '../..');
const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? join(ROOT, '.cache/bench-results');
const HEAP_SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS === '1';

const QUERY = /* GraphQL */ `
  subscription Progress($runId: ID!) {
    runProgress(runId: $runId) {
      sequence
      kind
      at
      run {
        id
        label
      }
    }
  }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((l) => Number(l.toFixed(2))) as [number, number, number];
const log = (...args: unknown[]) =>
  console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

/** Spawns a TypeScript entry under node+tsx with `ulimit -n` raised, with an IPC channel. */
function spawnNode(entry: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProcess {
  const script = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';
  return spawn(
    'bash',
    ['-c', script, process.execPath, ...nodeArgs, '--import', 'tsx', join(__dirname, entry)],
    { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
}

type Message = { type: string } & Record<string, unknown>;

/** Sends a request and resolves with the first reply of `replyType` (logs `progress` meanwhile). */
function request<T extends Message>(
  child: ChildProcess,
  message: object,
  replyType: string,
  timeoutMs = WAIT_MS + 60_000,
): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${replyType} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (raw: unknown) => {
      const reply = raw as Message;
      if (reply.type === 'progress') {
        const { type: _type, ...rest } = reply;
        log('  clients', JSON.stringify(rest), 'load', load().join(' '));
      } else if (reply.type === replyType) {
        cleanup();
        resolvePromise(reply as T);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child exited with ${code} while waiting for ${replyType}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (Object.keys(message).length > 0) child.send(message);
  });
}

interface Memory {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  gc: boolean;
}

interface ClientSummary {
  timedOut: boolean;
  clients: number;
  acked: number;
  snapshotOk: number;
  contiguousOk: number;
  completedOk: number;
  allOk: number;
  missingEvents: number;
  outOfOrder: number;
  received: number;
  initTimeouts: number;
  closeCodes: Record<string, number>;
  errorFrames: Record<string, number>;
  nextErrors: Record<string, number>;
  socketErrors: Record<string, number>;
  latencyMs: {
    count: number;
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
  };
  clientProcess: { cpuMs: number; loopDelayP99Ms: number; loopDelayMaxMs: number };
  failures: string[];
  waitedMs: number;
}

interface Ctx {
  fixture: BenchProgressFixture;
  gateway: ChildProcess;
  clients: ChildProcess;
  subscriptionsUrl: string;
}

const memory = (ctx: Ctx) => request<Memory & Message>(ctx.gateway, { type: 'memory' }, 'memory');
const gatewayCpu = async (ctx: Ctx) => {
  const cpu = await request<{ userMs: number; systemMs: number } & Message>(
    ctx.gateway,
    { type: 'cpu' },
    'cpu',
  );
  return cpu.userMs + cpu.systemMs;
};

async function openClients(ctx: Ctx, plan: { runId: string; count: number }[]) {
  return request<Message>(
    ctx.clients,
    {
      type: 'open',
      url: ctx.subscriptionsUrl,
      query: QUERY,
      plan,
      concurrency: CONCURRENCY,
      waitMs: WAIT_MS,
    },
    'opened',
  );
}

async function finishClients(ctx: Ctx, expectedLast: Record<string, number>) {
  const reply = await request<{ summary: ClientSummary } & Message>(
    ctx.clients,
    { type: 'finish', expectedLast, waitMs: WAIT_MS },
    'report',
  );
  return reply.summary;
}

/** A few subscribers through a whole run, so plans, caches and JIT are warm before measuring. */
async function warmUp(ctx: Ctx) {
  const runId = `warm-${randomUUID()}`;
  await ctx.fixture.emit(runId, 'STARTED');
  await openClients(ctx, [{ runId, count: 10 }]);
  await ctx.fixture.emit(runId, 'STEP_PROGRESSED');
  await ctx.fixture.emit(runId, 'COMPLETED');
  const summary = await finishClients(ctx, { [runId]: 3 });
  await request(ctx.clients, { type: 'close' }, 'closed');
  if (summary.allOk !== 10) log('warm-up was not clean:', JSON.stringify(summary));
}

async function scenarioA(ctx: Ctx) {
  const hot = `hot-${randomUUID()}`;
  const cold = Array.from({ length: RUNS }, (_, i) => `cold-${i}-${randomUUID()}`);
  const all = [hot, ...cold];
  await ctx.fixture.emitMany(all, 'STARTED');
  await sleep(2_000);
  const before = await memory(ctx);
  const beforeLoad = load();
  const snapshots: string[] = [];
  const heapSnapshot = async (name: string) => {
    if (!HEAP_SNAPSHOTS) return;
    const path = join(RESULTS_DIR, `heap-${name}-${Date.now()}.heapsnapshot`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    await request(ctx.gateway, { type: 'heapSnapshot', path }, 'heapSnapshot');
    snapshots.push(path);
    log(`heap snapshot ${path}`);
  };
  await heapSnapshot('before');
  const cpu0 = await gatewayCpu(ctx);
  const subscribers = HOT + RUNS * PER_RUN;
  log(
    `(a) opening ${subscribers} subscribers (${HOT} on one run + ${PER_RUN} on each of ${RUNS} runs), ${CONCURRENCY} handshakes at a time`,
  );
  const opened = await openClients(ctx, [
    { runId: hot, count: HOT },
    ...cold.map((runId) => ({ runId, count: PER_RUN })),
  ]);
  const openedLoad = load();
  const cpuOpened = await gatewayCpu(ctx);
  log('(a) opened', JSON.stringify(opened), 'load', openedLoad.join(' '));
  // (b): idle now (every client has its snapshot, or has failed).
  await sleep(3_000);
  const after = await memory(ctx);
  const idleLoad = load();
  await heapSnapshot('idle');
  const cpuIdle = await gatewayCpu(ctx);
  const idle = Number(opened.firstMessage ?? 0);
  const memoryFigures = {
    subscribersIdle: idle,
    connected: Number(opened.acked ?? 0),
    heapBeforeMB: +(before.heapUsed / 2 ** 20).toFixed(1),
    heapAfterMB: +(after.heapUsed / 2 ** 20).toFixed(1),
    rssBeforeMB: +(before.rss / 2 ** 20).toFixed(1),
    rssAfterMB: +(after.rss / 2 ** 20).toFixed(1),
    heapPerSubscriberKB: idle
      ? +((after.heapUsed - before.heapUsed) / idle / 1024).toFixed(2)
      : null,
    rssPerSubscriberKB: idle ? +((after.rss - before.rss) / idle / 1024).toFixed(2) : null,
    gcExposed: after.gc,
    heapSnapshots: snapshots,
    loadBefore: beforeLoad,
    load: idleLoad,
  };
  log('(b) memory', JSON.stringify(memoryFigures));
  for (let wave = 0; wave < WAVES; wave++) {
    await ctx.fixture.emitMany(all, 'STEP_PROGRESSED');
    await sleep(1_000);
  }
  await ctx.fixture.emitMany(all, 'COMPLETED');
  const expectedLast = Object.fromEntries(
    all.map((runId) => [runId, ctx.fixture.lastSequence(runId)]),
  );
  const summary = await finishClients(ctx, expectedLast);
  const finishLoad = load();
  const cpuMs = (await gatewayCpu(ctx)) - cpu0;
  await request(ctx.clients, { type: 'close' }, 'closed');
  return {
    scenario: 'a',
    gatewayCpuOpenMs: Math.round(cpuOpened - cpu0),
    gatewayCpuUsPerDelivery: summary.received
      ? +(((cpuMs - (cpuIdle - cpu0)) * 1000) / (summary.received - idle)).toFixed(1)
      : null,
    subscribers,
    hot: HOT,
    runs: RUNS,
    perRun: PER_RUN,
    waves: WAVES,
    openMs: opened.ms,
    openTimedOut: opened.timedOut,
    openLoad: openedLoad,
    memory: memoryFigures,
    summary,
    gatewayCpuMs: Math.round(cpuMs),
    load: finishLoad,
  };
}

async function scenarioC(ctx: Ctx) {
  const runId = `latency-${randomUUID()}`;
  await ctx.fixture.emit(runId, 'STARTED');
  log(`(c) opening ${LATENCY_SUBSCRIBERS} subscribers of one run`);
  const opened = await openClients(ctx, [{ runId, count: LATENCY_SUBSCRIBERS }]);
  const openLoad = load();
  log('(c) opened', JSON.stringify(opened), 'load', openLoad.join(' '));
  await sleep(2_000);
  const cpu0 = await gatewayCpu(ctx);
  const events = Math.round(RATE * LATENCY_SECONDS);
  const interval = 1000 / RATE;
  const started = performance.now();
  const publishLoad = [load()];
  // Paced: every event due by now goes out in one Kafka request, so a slow acknowledgement
  // batches the next events instead of lowering the rate; `at` is still set at publish.
  let sent = 0;
  let batches = 0;
  while (sent < events) {
    const due = Math.min(events, Math.floor((performance.now() - started) / interval) + 1);
    if (due > sent) {
      const count = due - sent;
      await ctx.fixture.emitMany(Array<string>(count).fill(runId), 'STEP_PROGRESSED');
      const before = sent;
      sent = due;
      batches++;
      if (Math.floor(before / RATE) !== Math.floor(sent / RATE)) publishLoad.push(load());
    } else {
      await sleep(Math.max(0, started + sent * interval - performance.now()));
    }
  }
  const publishSeconds = (performance.now() - started) / 1000;
  await ctx.fixture.emit(runId, 'COMPLETED');
  const summary = await finishClients(ctx, { [runId]: ctx.fixture.lastSequence(runId) });
  const finishLoad = load();
  const cpuMs = (await gatewayCpu(ctx)) - cpu0;
  await request(ctx.clients, { type: 'close' }, 'closed');
  return {
    scenario: 'c',
    subscribers: LATENCY_SUBSCRIBERS,
    targetRate: RATE,
    events,
    achievedRate: +(events / publishSeconds).toFixed(1),
    kafkaRequests: batches,
    openMs: opened.ms,
    summary,
    gatewayCpuMs: Math.round(cpuMs),
    gatewayCpuPerSecond: +(cpuMs / 1000 / publishSeconds).toFixed(2),
    gatewayCpuUsPerDelivery: summary.received
      ? +((cpuMs * 1000) / summary.received).toFixed(1)
      : null,
    publishLoad,
    load: finishLoad,
  };
}

function printTable(results: Record<string, unknown>[]) {
  const rows: [string, string, string, string][] = [];
  const row = (scenario: string, figure: string, value: unknown, l: number[] | undefined) =>
    rows.push([
      scenario,
      figure,
      typeof value === 'string' ? value : JSON.stringify(value),
      l ? l.join(' ') : '',
    ]);
  for (const r of results) {
    const s = r.summary as ClientSummary;
    const tag =
      r.scenario === 'a'
        ? `a ${String(r.subscribers)} subs`
        : `c ${String(r.subscribers)} subs @${String(r.achievedRate)}/s`;
    const l = r.load as number[];
    row(tag, 'clients all ok (snapshot+contiguous+complete)', `${s.allOk}/${s.clients}`, l);
    row(
      tag,
      'snapshot ok / contiguous / completed',
      `${s.snapshotOk} / ${s.contiguousOk} / ${s.completedOk}`,
      l,
    );
    row(tag, 'connected (acked)', `${s.acked}/${s.clients}`, l);
    row(tag, 'init timeouts (4408)', s.initTimeouts, l);
    row(tag, 'close codes', s.closeCodes, l);
    row(tag, 'error frames', s.errorFrames, l);
    row(tag, 'next with errors', s.nextErrors, l);
    row(tag, 'socket errors', s.socketErrors, l);
    row(tag, 'missing events / out of order', `${s.missingEvents} / ${s.outOfOrder}`, l);
    row(
      tag,
      'latency ms p50 / p99 / max',
      `${s.latencyMs.p50} / ${s.latencyMs.p99} / ${s.latencyMs.max} (n=${s.latencyMs.count})`,
      l,
    );
    row(
      tag,
      'gateway CPU ms (µs per delivered message)',
      `${String(r.gatewayCpuMs)} (${String(r.gatewayCpuUsPerDelivery)}${r.scenario === 'a' ? ' after the snapshots' : ''})`,
      l,
    );
    row(
      tag,
      'client process cpu ms / loop delay p99,max ms',
      `${s.clientProcess.cpuMs} / ${s.clientProcess.loopDelayP99Ms},${s.clientProcess.loopDelayMaxMs}`,
      l,
    );
    if (r.scenario === 'a') {
      row(tag, 'gateway CPU ms of the open phase', r.gatewayCpuOpenMs, r.openLoad as number[]);
      row(
        tag,
        'open phase ms (timed out?)',
        `${String(r.openMs)} (${String(r.openTimedOut)})`,
        r.openLoad as number[],
      );
      const m = r.memory as Record<string, unknown>;
      row(
        'b idle',
        'heap KB per idle subscriber',
        `${String(m.heapPerSubscriberKB)} (${String(m.heapBeforeMB)} → ${String(m.heapAfterMB)} MB, ${String(m.subscribersIdle)} subs)`,
        m.load as number[],
      );
      row(
        'b idle',
        'RSS KB per idle subscriber',
        `${String(m.rssPerSubscriberKB)} (${String(m.rssBeforeMB)} → ${String(m.rssAfterMB)} MB)`,
        m.load as number[],
      );
    }
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 8));
  console.log('\nscenario | figure | value | load avg (1 5 15 min)');
  for (const r of rows)
    console.log(
      `${r[0].padEnd(widths[0]!)} | ${r[1].padEnd(widths[1]!)} | ${r[2].padEnd(widths[2]!)} | ${r[3]}`,
    );
}

async function main() {
  if (!process.env.KAFKA_BROKERS) {
    throw new Error(
      'KAFKA_BROKERS not set: bash scripts/services/up.sh; source .cache/run/services.env',
    );
  }
  const env = testEnv({ APOLLO_TELEMETRY_DISABLED: '1', LOG_LEVEL: 'warn' });
  const fixture = await startBenchProgressFixture(env);
  const extra = Object.fromEntries(
    (process.env.BENCH_GATEWAY_ENV ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  );
  const gatewayNodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const gateway = spawnNode('gatewayProcess.ts', { ...env, ...fixture.gatewayEnv, ...extra }, [
    '--expose-gc',
    ...gatewayNodeArgs,
  ]);
  const clientNodeArgs = (process.env.BENCH_CLIENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const clients = spawnNode(
    'clients.ts',
    { ...process.env, NODE_ENV: 'production' },
    clientNodeArgs,
  );
  const stopAll = () => {
    for (const child of [gateway, clients]) if (child.exitCode === null) child.kill('SIGKILL');
  };
  /** Closing the IPC channel makes a child exit by itself (writing any --cpu-prof profile). */
  const letClientsExit = async () => {
    if (clients.exitCode !== null || !clients.connected) return;
    const exited = new Promise((r) => clients.once('exit', r));
    clients.disconnect();
    await Promise.race([exited, sleep(30_000)]);
  };
  process.once('SIGINT', () => {
    stopAll();
    process.exit(130);
  });
  try {
    const started = Date.now();
    const clientsStarted = request(clients, {}, 'started', 180_000);
    const ready = await request<{ url: string; subscriptionsUrl: string } & Message>(
      gateway,
      {},
      'ready',
      180_000,
    );
    await clientsStarted;
    // Subscriptions are served once the gateway's Kafka member runs (/ready stops saying degraded).
    for (let i = 0; ; i++) {
      const body = (await (await fetch(`${ready.url}/ready`)).json()) as { status: string };
      if (body.status === 'ready') break;
      if (i > 600) throw new Error(`gateway not ready: ${JSON.stringify(body)}`);
      await sleep(200);
    }
    log(
      `gateway ready after ${Date.now() - started} ms at ${ready.subscriptionsUrl}; load ${load().join(' ')}`,
    );
    const ctx: Ctx = { fixture, gateway, clients, subscriptionsUrl: ready.subscriptionsUrl };
    await warmUp(ctx);
    const results: Record<string, unknown>[] = [];
    if (SCENARIOS.includes('a') || SCENARIOS.includes('b')) results.push(await scenarioA(ctx));
    if (SCENARIOS.includes('c')) results.push(await scenarioC(ctx));
    printTable(results);
    for (const r of results) {
      const s = r.summary as ClientSummary;
      if (s.failures.length)
        console.log(
          `\nscenario ${String(r.scenario)}: first failing clients:\n${s.failures.join('\n')}`,
        );
    }
    const dir = RESULTS_DIR;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `subscriptions-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          node: process.version,
          config: {
            HOT,
            RUNS,
            PER_RUN,
            WAVES,
            CONCURRENCY,
            RATE,
            LATENCY_SECONDS,
            LATENCY_SUBSCRIBERS,
            WAIT_MS,
            extra,
          },
          results,
        },
        null,
        2,
      ),
    );
    log(`results written to ${file}`);
    const gatewayExit = new Promise((r) => gateway.once('exit', r));
    await request(gateway, { type: 'stop' }, 'stopped', 60_000).catch((error: unknown) =>
      log('gateway stop:', error),
    );
    // Let it exit by itself (it writes its --cpu-prof profile on the way out).
    await Promise.race([gatewayExit, sleep(30_000)]);
    await letClientsExit();
  } finally {
    stopAll();
    await fixture.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
