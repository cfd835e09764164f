import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/graphql';
import { startTestStack } from '../test/utils/startTestStack';

/**
 * Workflow runs whose steps are plugin actions, driven through the gateway as a user would:
 * BENCH_RUNS runs (default 200) of a three-step definition (slugify ×2 in the sandbox, then an
 * echo), BENCH_CONCURRENCY startRun calls at once (default 20); prints how long until all
 * succeeded, runs/s, and startRun latency. Needs Kafka and MongoDB (scripts/services/up.sh).
 *
 *   node --import tsx bench/pluginRuns.ts
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);

const DEFINITION = {
  id: 'bench-plugin-runs',
  version: '1.0.0',
  name: 'Plugin actions in a run',
  steps: [
    {
      id: 'names',
      type: 'action',
      action: 'example-text.slugify',
      input: { names: ['Hero Banner', 'Primary Button', 'Feature Card'] },
    },
    {
      id: 'again',
      type: 'action',
      action: 'example-text.slugify',
      input: { names: '=outputs.names.slugs' },
    },
  ],
};

async function main() {
  const folder = mkdtempSync(join(tmpdir(), 'bench-plugins-'));
  const settings = join(folder, 'plugins.yaml');
  writeFileSync(
    settings,
    `plugins:\n  - path: ${join(REPO_ROOT, 'plugins', 'example-text')}\n    grant: { http: { hosts: ['127.0.0.1'] } }\n`,
  );
  const stack = await startTestStack({ WORKFLOW_PLUGINS_FILE: settings, LOG_LEVEL: 'error' });
  try {
    const defined = await stack.query(
      `mutation D($d: String!) { defineWorkflow(definition: $d) { id } }`,
      { d: JSON.stringify(DEFINITION) },
    );
    if (defined.errors) throw new Error(JSON.stringify(defined.errors));
    const load = loadavg()[0]!.toFixed(1);
    const started = performance.now();
    const latencies: number[] = [];
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < RUNS) {
          const at = performance.now();
          const answer = await stack.query<{ startRun: { id: string } }>(
            `mutation S($i: StartRunInput!) { startRun(input: $i) { id } }`,
            { i: { definitionId: DEFINITION.id } },
          );
          latencies.push(performance.now() - at);
          if (!answer.data) throw new Error(JSON.stringify(answer.errors));
          ids.push(answer.data.startRun.id);
        }
      }),
    );
    for (;;) {
      const answer = await stack.query<{ workflowRuns: { nodes: { status: string }[] } }>(
        `{ workflowRuns(filter: { definitionId: "${DEFINITION.id}" }, first: 200) { nodes { status } } }`,
      );
      const nodes = answer.data?.workflowRuns.nodes ?? [];
      const done = nodes.filter((node) => node.status === 'SUCCEEDED').length;
      const failed = nodes.filter((node) => node.status === 'FAILED').length;
      if (failed) throw new Error(`${failed} runs failed`);
      if (done >= Math.min(RUNS, 200)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(0);
    const plugins = await stack.query<{
      plugins: { name: string; counters: { executions: number; meanDurationMs: number } }[];
    }>(`{ plugins { name counters { executions failures meanDurationMs } } }`);
    console.log(
      `load average (1 min) at start: ${load}; ${RUNS} runs, ${CONCURRENCY} startRun at once`,
    );
    console.log(
      `all succeeded after ${seconds.toFixed(1)} s: ${(RUNS / seconds).toFixed(1)} runs/s`,
    );
    console.log(`startRun through the gateway: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
    console.log(`plugins: ${JSON.stringify(plugins.data?.plugins)}`);
  } finally {
    await stack.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

void main();
