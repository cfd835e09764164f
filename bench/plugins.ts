import { loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/graphql';
import { createPluginTestHarness } from '../subgraphs/workflow/src/plugins/testing';

/**
 * What the sandbox costs a plugin action: `example-text.slugify` through its sandboxed process
 * (IPC, schema checks, the action registry) against the same module called in this process, the
 * time to a first answer from a cold process, and from a process killed at its deadline.
 *
 *   node --import tsx bench/plugins.ts      # BENCH_CALLS (default 2000), BENCH_CONCURRENCY (default 8)
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const FOLDER = join(REPO_ROOT, 'plugins', 'example-text');
const ESCAPE = join(REPO_ROOT, 'test', 'fixtures', 'plugins', 'escape');
const INPUT = { names: ['Hero Banner', 'Primary Button', 'Feature Card', 'Email Input'] };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Runs `CALLS` calls, `CONCURRENCY` at a time; returns per-call ms (sorted) and calls/s. */
async function drive(call: () => Promise<unknown>) {
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CALLS) {
        const at = performance.now();
        await call();
        durations.push(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { sorted: durations.sort((a, b) => a - b), perSecond: CALLS / seconds };
}

async function main() {
  const load = loadavg()[0]!.toFixed(1);
  const coldAt = performance.now();
  const sandboxed = await createPluginTestHarness({ folder: FOLDER });
  await sandboxed.run('slugify', INPUT);
  const coldMs = performance.now() - coldAt;

  const module = (await import(join(FOLDER, 'index.mjs'))) as {
    default: {
      init(c: unknown, x: unknown): Promise<void>;
      execute(...a: unknown[]): Promise<unknown>;
    };
  };
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  await module.default.init({}, { log });
  const inProcess = () =>
    module.default.execute('slugify', INPUT, { log, signal: new AbortController().signal });

  // Alternating passes, so load changes touch both alike.
  const rounds: { sandbox: number; local: number; p50: number; p99: number }[] = [];
  for (let round = 0; round < 3; round++) {
    const local = await drive(inProcess);
    const sandbox = await drive(() => sandboxed.run('slugify', INPUT));
    rounds.push({
      sandbox: sandbox.perSecond,
      local: local.perSecond,
      p50: percentile(sandbox.sorted, 50),
      p99: percentile(sandbox.sorted, 99),
    });
  }
  await sandboxed.stop();

  const escape = await createPluginTestHarness({
    folder: ESCAPE,
    limits: { killGraceMs: 100, timeoutMs: 200 },
  });
  await escape.run('attempt', { kind: 'echo' });
  await escape.run('attempt', { kind: 'loop' }).catch(() => undefined);
  const restartAt = performance.now();
  await escape.run('attempt', { kind: 'echo' });
  const restartMs = performance.now() - restartAt;
  await escape.stop();

  console.log(
    `load average (1 min) at start: ${load}; ${CALLS} calls × 3 rounds, ${CONCURRENCY} at once`,
  );
  console.log(`cold start to first answer: ${coldMs.toFixed(0)} ms`);
  for (const [i, r] of rounds.entries())
    console.log(
      `round ${i + 1}: sandboxed ${r.sandbox.toFixed(0)}/s (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms) vs in-process ${r.local.toFixed(0)}/s`,
    );
  console.log(`first answer after a kill at the deadline: ${restartMs.toFixed(0)} ms`);
}

void main();
