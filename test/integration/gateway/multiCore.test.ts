import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { REPO_ROOT } from '../../../lib/graphql';
import { startStack, stackOptionsFromEnv, type RunningStack } from '../../../stack/src';
import { postGraphQL } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';
import { collect } from './fixtures/collect';

const WORKERS = 2;

/** GET on a fresh connection each time, so the cluster hands it to the next worker. */
function getFresh(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Starts gateway/src/main.ts in multi-core mode; resolves with its URLs once every worker is ready. */
function startClusteredGateway(env: Record<string, string | undefined>) {
  const child = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', join(REPO_ROOT, 'gateway/src/main.ts')],
    { cwd: REPO_ROOT, env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const ready = new Promise<{ url: string; metricsUrl: string }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /"url":"(http:\/\/[^"]+?)\/graphql"[^\n]*gateway ready/.exec(output)?.[1];
      const metricsUrl = /"metricsUrl":"([^"]+)"[^\n]*gateway cluster ready/.exec(output)?.[1];
      if (url && metricsUrl) resolve({ url, metricsUrl });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`gateway exited early with ${code}:\n${output}`)),
    );
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, ready, exited, output: () => output };
}

describe('gateway in multi-core mode', () => {
  const env = testEnv();
  let stack: RunningStack;
  let gateway: ReturnType<typeof startClusteredGateway>;
  let urls: { url: string; metricsUrl: string };
  const clients: Client[] = [];

  beforeAll(async () => {
    stack = await startStack(stackOptionsFromEnv(env));
    gateway = startClusteredGateway({
      ...env,
      GATEWAY_WORKERS: String(WORKERS),
      GATEWAY_CLUSTER_METRICS_PORT: '0',
      SUBGRAPH_URLS: Object.entries(stack.subgraphUrls)
        .map(([name, url]) => `${name}=${url}`)
        .join(','),
    });
    urls = await gateway.ready;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    if (gateway && gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await stack?.stop();
  });

  it('should spread connections over every worker', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < WORKERS * 4; i++) {
      pids.add((JSON.parse(await getFresh(`${urls.url}/health`)) as { pid: number }).pid);
    }
    expect(pids.size).toBe(WORKERS);
    expect(pids.has(gateway.child.pid!)).toBe(false);
  });

  it('should stream a run to subscribers on different workers, in order, to completion', async () => {
    const started = await postGraphQL<{ startRun: { id: string } }>(
      `${urls.url}/graphql`,
      `mutation { startRun(input: { definitionId: "component-generation-pipeline", input: {} }) { id } }`,
    );
    const runId = started.data!.startRun.id;
    const subscriptions = Array.from({ length: WORKERS * 2 }, () => {
      const client = createClient({
        url: `${urls.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
      });
      clients.push(client);
      return collect(
        client,
        `subscription($runId: ID!) { runProgress(runId: $runId, after: "0") { sequence kind } }`,
        { runId },
      );
    });
    await Promise.all(subscriptions.map((sub) => sub.waitForCompletion(60_000)));
    const streams = subscriptions.map((sub) =>
      sub.results.map(
        (r) => (r.data as { runProgress: { sequence: number } }).runProgress.sequence,
      ),
    );
    for (const stream of streams) {
      expect(stream).toEqual(stream.map((_, i) => i + 1));
      expect(stream).toEqual(streams[0]);
    }
    expect(streams[0]!.length).toBeGreaterThan(2);
  });

  it('should sum the workers metrics on the primary and exit 0 on SIGTERM', async () => {
    const metrics = await getFresh(urls.metricsUrl);
    expect(metrics).toContain('gateway_operation_duration_seconds');
    expect(metrics).toMatch(/process_cpu_seconds_total\{[^}]*role="gateway"[^}]*\} \d/);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).not.toMatch(/gateway worker exited/);
  });
});
