import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/graphql';
import { startForeignSubgraphs } from '../test/fixtures/foreign-supergraph/subgraphs';
import { freePort } from '../test/utils/freePort';
import { testEnv } from '../test/utils/servicesEnv';

/**
 * Start-up of our gateway vs a plain `@apollo/gateway` on the same supergraph (the four foreign
 * subgraphs of test/fixtures, running in this process): time from spawning the process to its
 * first correct answer to a federated query, polled every 10 ms. Both run the same way (see RUNTIME;
 * with tsx the transpile cache is warm after the first run, which is discarded) and alternate, so load affects both alike; the median of BENCH_RUNS (default 7) each is printed.
 *
 *   node --import tsx bench/gatewayStartup.ts     # needs Kafka (subscriptions on, by default)
 *   npm run build && BENCH_RUNTIME=built BENCH_RUNS=11 node --import tsx bench/gatewayStartup.ts
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const NODE_ENV = process.env.BENCH_ENV ?? 'production';
/** Four subgraphs: products, reviews (entities), accounts (author names), inventory (@requires). */
const QUERY =
  '{ topProducts(first: 3) { upc name ... on Book { reviews { body author { name } } } ... on Furniture { shippingEstimate inStock } } }';

type Variant = 'ours' | 'plain';
/**
 * `tsx` (default): both through `node --import tsx`, as the README starts a role. `built`: ours from
 * `dist/` (`npm run build` first) and the plain one, plain JavaScript, with plain `node`, as a
 * deployment runs them.
 */
const RUNTIME = process.env.BENCH_RUNTIME === 'built' ? 'built' : 'tsx';
const COMMAND: Record<Variant, string[]> =
  RUNTIME === 'built'
    ? { ours: ['dist/gateway/src/main.js'], plain: ['bench/gatewayStartup/plainGatewayMain.mjs'] }
    : {
        ours: ['--import', 'tsx', 'gateway/src/main.ts'],
        plain: ['--import', 'tsx', 'bench/gatewayStartup/plainGatewayMain.mjs'],
      };

/** Spawns one gateway, resolves with ms from spawn to its first correct answer, then stops it. */
async function timeToFirstAnswer(variant: Variant, supergraphPath: string, expected: string) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, COMMAND[variant], {
    cwd: REPO_ROOT,
    env: {
      ...testEnv(),
      NODE_ENV,
      LOG_LEVEL: 'warn',
      GATEWAY_PORT: String(port),
      SUPERGRAPH_PATH: supergraphPath,
      SUPERGRAPH_WATCH: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => ((exited = true), resolve(code))),
  );
  try {
    for (;;) {
      if (exited) throw new Error(`${variant} gateway exited before answering`);
      const answer = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
      })
        .then((response) => response.text())
        .then(normalise)
        .catch(() => undefined);
      if (answer === expected) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    child.kill('SIGTERM');
    const code = await exit;
    if (code !== 0) console.error(`${variant} gateway exited ${code} on SIGTERM`);
  }
}

/** The same JSON whatever the spacing. */
const normalise = (text: string) => JSON.stringify(JSON.parse(text));

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main() {
  const subgraphs = await startForeignSubgraphs();
  try {
    const supergraphPath = join(
      mkdtempSync(join(tmpdir(), 'bench-startup-')),
      'supergraph.graphql',
    );
    writeFileSync(supergraphPath, subgraphs.supergraphSdl);
    // Both gateways must give exactly the plain gateway's answer (compared as parsed JSON).
    const reference = await referenceAnswer(supergraphPath);
    console.log(
      `load average before: ${load()} (NODE_ENV=${NODE_ENV}, runtime ${RUNTIME}, ${RUNS} runs each)`,
    );
    // Warm-up (tsx transpile cache, disk cache), not counted.
    for (const variant of ['ours', 'plain'] as const)
      await timeToFirstAnswer(variant, supergraphPath, reference);
    const times: Record<Variant, number[]> = { ours: [], plain: [] };
    for (let run = 0; run < RUNS; run++) {
      const order: Variant[] = run % 2 ? ['plain', 'ours'] : ['ours', 'plain'];
      for (const variant of order)
        times[variant].push(await timeToFirstAnswer(variant, supergraphPath, reference));
    }
    const ours = median(times.ours);
    const plain = median(times.plain);
    for (const variant of ['ours', 'plain'] as const)
      console.log(`${variant.padEnd(5)} ${times[variant].map((t) => t.toFixed(0)).join(' ')} ms`);
    console.log(
      `median time to first answer: ours ${ours.toFixed(0)} ms, plain ${plain.toFixed(0)} ms, ratio ${(ours / plain).toFixed(2)}`,
    );
    console.log(`load average after: ${load()}`);
  } finally {
    await subgraphs.stop();
  }
}

/** The plain gateway's answer to QUERY: both gateways must give exactly this. */
async function referenceAnswer(supergraphPath: string): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, COMMAND.plain, {
    cwd: REPO_ROOT,
    env: { ...process.env, GATEWAY_PORT: String(port), SUPERGRAPH_PATH: supergraphPath },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
      }).catch(() => undefined);
      if (response) {
        const text = await response.text();
        if (!response.ok || text.includes('"errors"')) throw new Error(`reference failed: ${text}`);
        return normalise(text);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    child.kill('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
