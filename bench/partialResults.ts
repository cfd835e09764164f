/**
 * What clients see when a subgraph stops mid-traffic (issue 14): latency and answers before the
 * failure, while the accounts breaker is still closed, and once it is open (loopback, bounded,
 * stops by itself). A gateway with breakers on (defaults) over the four foreign subgraphs, the
 * accounts subgraph behind a loopback proxy (test/integration/gateway/fixtures/flakyProxy.ts);
 * BENCH_CONNECTIONS closed-loop clients send a cross-subgraph query, healthy for BENCH_HEALTHY_S,
 * then the proxy fails for BENCH_FAILED_S, once hanging (accepts, never answers: a stuck subgraph)
 * and once resetting connections (a stopped one), each with a new gateway and proxy.
 *   npx tsx bench/partialResults.ts
 * Environment: BENCH_CONNECTIONS (10), BENCH_HEALTHY_S (3), BENCH_FAILED_S (15), BENCH_MODES
 * (hang,drop), BENCH_SUBGRAPH_TIMEOUT_MS (the gateway's SUBGRAPH_TIMEOUT_MS, default 10000).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Agent, request } from 'undici';
import { gatewayOptionsFromEnv, startGateway } from '../gateway/src';
import { createLogger } from '../lib/logging';
import { startForeignSubgraphs } from '../test/fixtures/foreign-supergraph/subgraphs';
import { startFlakyProxy, type ProxyMode } from '../test/integration/gateway/fixtures/flakyProxy';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const HEALTHY_MS = Number(process.env.BENCH_HEALTHY_S ?? 3) * 1000;
const FAILED_MS = Number(process.env.BENCH_FAILED_S ?? 15) * 1000;
const MODES = (process.env.BENCH_MODES ?? 'hang,drop').split(',') as ProxyMode[];
const SUBGRAPH_TIMEOUT_MS = Number(process.env.BENCH_SUBGRAPH_TIMEOUT_MS ?? 10_000);
/** GATEWAY_BREAKER_RESET_MS's default: the open time before each half-open trial. */
const RESET_MS = 10_000;
/** `me` (and the reviews and inventory fetches under it) goes through accounts: 4 fetches. */
const BODY = JSON.stringify({
  query:
    '{ me { id name reviews { body product { upc name inStock } } } topProducts { upc name } }',
});

type Kind = 'full' | 'partial' | 'partial-other' | 'error';
interface Sample {
  start: number;
  end: number;
  kind: Kind;
  /** Error codes of a partial-other or error answer. */
  detail?: string;
}
interface Answer {
  data?: { me?: unknown; topProducts?: unknown } | null;
  errors?: { path?: unknown[]; extensions?: Record<string, unknown> }[];
}

/** full: the healthy answer; partial: topProducts whole, `me` null with breaker errors only. */
function classify(status: number, answer: Answer | undefined, healthy: Answer): Kind {
  if (!answer?.data) return 'error';
  if (status !== 200 && !answer.errors?.length) return 'error';
  if (!answer.errors?.length)
    return isDeepStrictEqual(answer.data, healthy.data) ? 'full' : 'partial-other';
  if (!isDeepStrictEqual(answer.data.topProducts, healthy.data?.topProducts)) return 'error';
  const breakerErrors = answer.errors.every(
    (e) =>
      e.extensions?.code === 'SERVICE_UNAVAILABLE' &&
      e.extensions.subgraph === 'accounts' &&
      e.extensions.reason === 'CIRCUIT_OPEN' &&
      isDeepStrictEqual(e.path, ['me']),
  );
  return answer.data.me === null && breakerErrors ? 'partial' : 'partial-other';
}

function stats(samples: Sample[]) {
  const ms = samples.map((s) => s.end - s.start).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] ?? NaN;
  const counts: Record<Kind, number> = { full: 0, partial: 0, 'partial-other': 0, error: 0 };
  const details = new Map<string, number>();
  for (const s of samples) {
    counts[s.kind]++;
    if (s.detail) details.set(s.detail, (details.get(s.detail) ?? 0) + 1);
  }
  const fmt = (n: number) => (Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(1) : n.toFixed(0));
  return {
    n: ms.length,
    line: `${ms.length} | ${fmt(at(0.5))} | ${fmt(at(0.99))} | ${fmt(ms.at(-1) ?? NaN)} | ${counts.full} | ${counts.partial} | ${counts['partial-other']} | ${counts.error}`,
    counts,
    details: [...details].map(([d, n]) => `${d}×${n}`).join(', '),
  };
}

async function scenario(
  mode: ProxyMode,
  subgraphs: Awaited<ReturnType<typeof startForeignSubgraphs>>,
  supergraphPath: string,
) {
  const logger = createLogger({ name: 'bench', level: 'fatal' });
  const proxy = await startFlakyProxy(subgraphs.urls.accounts ?? '');
  const gateway = await startGateway(
    gatewayOptionsFromEnv({
      NODE_ENV: 'production',
      GATEWAY_PORT: '0',
      SUPERGRAPH_PATH: supergraphPath,
      SUPERGRAPH_WATCH: 'false',
      SUBSCRIPTIONS_ENABLED: 'false',
      SUBGRAPH_URLS: `accounts=${proxy.url}`,
      SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS),
      GATEWAY_BREAKERS: 'true',
    }),
    logger,
  );
  // Client side: one keep-alive socket per connection, no client timeout below the gateway's.
  const agent = new Agent({
    connections: CONNECTIONS,
    headersTimeout: SUBGRAPH_TIMEOUT_MS * 3,
    bodyTimeout: SUBGRAPH_TIMEOUT_MS * 3,
  });
  const post = async (): Promise<{ status: number; answer?: Answer; failure?: string }> => {
    try {
      const response = await request(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        dispatcher: agent,
      });
      const text = await response.body.text();
      try {
        return { status: response.statusCode, answer: JSON.parse(text) as Answer };
      } catch {
        return { status: response.statusCode, failure: `status ${response.statusCode}` };
      }
    } catch (error) {
      return { status: 0, failure: (error as { code?: string }).code ?? String(error) };
    }
  };
  const warm = await post();
  if (!warm.answer?.data || warm.answer.errors) throw new Error('gateway not healthy at start');
  const healthy = warm.answer;
  for (let i = 0; i < 200; i++) await post(); // warm-up: plans, JIT, connections

  const samples: Sample[] = [];
  const t0 = Date.now();
  let failAt = Number.POSITIVE_INFINITY;
  let openAt = Number.POSITIVE_INFINITY;
  const stopAt = t0 + HEALTHY_MS + FAILED_MS;
  const worker = async () => {
    while (Date.now() < stopAt) {
      const start = performance.timeOrigin + performance.now();
      const { status, answer, failure } = await post();
      const end = performance.timeOrigin + performance.now();
      const kind = classify(status, answer, healthy);
      const codes =
        (status === 200 ? '' : `${status} `) +
        (answer?.errors?.map((e) => String(e.extensions?.code ?? '?')).join('+') ?? '');
      samples.push({ start, end, kind, detail: kind === 'full' ? undefined : (failure ?? codes) });
    }
  };
  let driving = true;
  const watcher = async () => {
    while (driving && openAt === Number.POSITIVE_INFINITY) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (Date.now() < failAt) continue;
      const body = (await (await fetch(`${gateway.url}/breakers`)).json()) as {
        breakers: { name: string; state: string; openedAt: string | null }[];
      };
      const accounts = body.breakers.find((b) => b.name === 'accounts');
      if (accounts?.state === 'OPEN' && accounts.openedAt) openAt = Date.parse(accounts.openedAt);
    }
  };
  const failer = async () => {
    await new Promise((resolve) => setTimeout(resolve, HEALTHY_MS));
    failAt = performance.timeOrigin + performance.now();
    proxy.setMode(mode);
  };
  const watching = watcher();
  await Promise.all([failer(), ...Array.from({ length: CONNECTIONS }, worker)]);
  driving = false;
  await watching;
  const hitsAtEnd = proxy.hits;
  // Whatever still hangs is answered by the gateway's timeout; wait for it before stopping.
  await agent.close();
  await gateway.stop();
  await proxy.stop();

  const before = samples.filter((s) => s.end <= failAt);
  const during = samples.filter((s) => s.end > failAt && s.start < openAt);
  const after = samples.filter((s) => s.start >= openAt);
  const opened = Number.isFinite(openAt);
  console.log(
    `\n${mode === 'hang' ? 'HANG (accepts, never answers)' : 'DROP (connections reset)'}: ` +
      `breaker opened ${opened ? `${(openAt - failAt).toFixed(0)} ms after the failure` : `not within ${FAILED_MS / 1000} s`}` +
      `; proxy hits ${hitsAtEnd}; load avg ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    'phase | requests | p50 ms | p99 ms | max ms | full | partial | partial-other | error',
  );
  for (const [name, group] of [
    ['before failure', before],
    ['failure → open', during],
    ['after open', after],
  ] as const) {
    const s = stats(group);
    console.log(`${name} | ${s.line}${s.details ? ` | ${s.details}` : ''}`);
  }
  // Each reset period one half-open trial goes to the subgraph and fails (not a breaker answer).
  const halfOpenTrials = opened ? Math.floor((stopAt - openAt) / RESET_MS) : 0;
  const wrongAfter = after.filter((s) => s.kind !== 'partial').length;
  const wrongBefore = before.filter((s) => s.kind !== 'full').length;
  console.log(
    `check: ${wrongBefore} non-full answers before the failure (expected 0); ${wrongAfter} non-partial answers after opening (expected at most the ${halfOpenTrials} half-open trial(s))`,
  );
  return wrongBefore + Math.max(0, wrongAfter - halfOpenTrials);
}

async function main() {
  process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
  console.log(
    `connections ${CONNECTIONS}, healthy ${HEALTHY_MS / 1000} s, failed ${FAILED_MS / 1000} s, ` +
      `SUBGRAPH_TIMEOUT_MS ${SUBGRAPH_TIMEOUT_MS}, breakers on with defaults (50 %, volume 10, window 1.5 × the timeout, reset 10 s)`,
  );
  const subgraphs = await startForeignSubgraphs();
  const path = join(mkdtempSync(join(tmpdir(), 'bench-partial-')), 'supergraph.graphql');
  writeFileSync(path, subgraphs.supergraphSdl);
  let wrong = 0;
  try {
    for (const mode of MODES) wrong += await scenario(mode, subgraphs, path);
  } finally {
    await subgraphs.stop();
  }
  if (wrong > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
