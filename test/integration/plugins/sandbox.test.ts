import { createSocket } from 'node:dgram';
import pino from 'pino';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../lib/graphql';
import type { ActionContext } from '../../../subgraphs/workflow/src/actions/types';
import { WorkflowError } from '../../../subgraphs/workflow/src/errors';
import {
  createPluginSet,
  type PluginSet,
} from '../../../subgraphs/workflow/src/plugins/createPluginSet';
import { defaultPluginLimits } from '../../../subgraphs/workflow/src/plugins/pluginSettings';
import { createPluginTestHarness } from '../../../subgraphs/workflow/src/plugins/testing';
import { eventually } from '../../utils/graphqlClient';

const ESCAPE = join(REPO_ROOT, 'test', 'fixtures', 'plugins', 'escape');
const EXAMPLE = join(REPO_ROOT, 'plugins', 'example-text');
const ACCESS_RESTRICTED = /Access to this API has been restricted/;

/** A local HTTP server that counts the TCP connections it accepts and the paths asked for. */
async function startCountingServer() {
  const paths: string[] = [];
  let connections = 0;
  const server: Server = createServer((request, response) => {
    paths.push(request.url ?? '');
    response.end('ok');
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    connections: () => connections,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Whether a process still exists (Node reaps its children before their exit event). */
function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The rejection of a promise that must reject, as a WorkflowError. */
async function failureOf(promise: Promise<unknown>): Promise<WorkflowError> {
  const error = await promise.then(
    (output) => new Error(`expected a failure, got ${JSON.stringify(output)}`),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WorkflowError);
  return error as WorkflowError;
}

describe('plugin sandbox: the escape fixture, granted localhost:1 only', () => {
  let server: Awaited<ReturnType<typeof startCountingServer>>;
  let plugins: PluginSet;
  let outside: string;
  /** Messages the plugin set logged (the plugin's stdout among them). */
  const logLines: string[] = [];

  beforeAll(async () => {
    server = await startCountingServer();
    outside = mkdtempSync(join(tmpdir(), 'plugin-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'the role’s secret');
    plugins = createPluginSet({
      entries: [
        {
          source: ESCAPE,
          folder: ESCAPE,
          config: {},
          grant: { http: { hosts: ['localhost:1'] } },
          // A small heap and resident ceiling, checked often, so the memory tests end quickly.
          limits: {
            ...defaultPluginLimits,
            memoryMb: 48,
            rssMb: 160,
            rssCheckMs: 50,
            killGraceMs: 500,
          },
        },
      ],
      reservedActionNames: [],
      logger: pino(
        { level: 'info' },
        { write: (line: string) => void logLines.push(JSON.parse(line).msg) },
      ),
    });
    await plugins.start();
  });

  afterAll(async () => {
    await plugins?.stop();
    await server?.close();
    rmSync(outside, { recursive: true, force: true });
  });

  /** Runs `escape.attempt` as the registry would, with an abort at `deadlineMs`. */
  async function attempt(kind: string, target?: string, deadlineMs = 30_000) {
    const action = plugins.actions.find((candidate) => candidate.name === 'escape.attempt')!;
    const controller = new AbortController();
    const deadline = setTimeout(() => controller.abort(), deadlineMs);
    try {
      return (await action.run({ kind, ...(target !== undefined && { target }) }, {
        runId: 'sandbox-test',
        stepId: kind,
        attempt: 1,
        signal: controller.signal,
      } as ActionContext)) as Record<string, unknown>;
    } finally {
      clearTimeout(deadline);
    }
  }
  const echoPid = async () => (await attempt('echo')).pid as number;
  const counters = () => plugins.list()[0]!.counters;

  it('should read its own folder but not a file outside it, and not retry that', async () => {
    const own = await attempt('readFile', join(ESCAPE, 'plugin.json'));
    expect(own.text).toContain('"name": "escape"');
    const error = await failureOf(attempt('readFile', join(outside, 'secret.txt')));
    expect(error.message).toMatch(ACCESS_RESTRICTED);
    expect(error.message).not.toContain('secret');
    expect(error.retriable).toBe(false);
  });

  it('should refuse starting a process or a worker thread', async () => {
    for (const kind of ['spawn', 'worker']) {
      const error = await failureOf(attempt(kind));
      expect(error.message).toMatch(ACCESS_RESTRICTED);
      expect(error.retriable).toBe(false);
    }
  });

  it('should refuse UDP (even through a named ESM import) and listening sockets', async () => {
    const received: string[] = [];
    const udp = createSocket('udp4');
    udp.on('message', (message) => received.push(String(message)));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    try {
      const sent = await failureOf(attempt('udp', String(udp.address().port)));
      expect(sent.message).toMatch(/UDP sockets are not allowed/);
      expect(sent.retriable).toBe(false);
      const listening = await failureOf(attempt('listen'));
      expect(listening.message).toMatch(/listening for connections is not allowed/);
      expect(received).toEqual([]);
    } finally {
      udp.close();
    }
  });

  it('should refuse DNS queries beyond looking up its granted names', async () => {
    const granted = (await attempt('dns', 'localhost')) as { address: { address: string } };
    expect(granted.address.address).toMatch(/^(127\.0\.0\.1|::1)$/);
    const lookup = await failureOf(attempt('dns', 'data-to-exfiltrate.example.com'));
    expect(lookup.message).toMatch(/DNS lookup of data-to-exfiltrate.example.com is not in/);
    expect(lookup.retriable).toBe(false);
    const resolve = await failureOf(attempt('dns', 'resolve'));
    expect(resolve.message).toMatch(/dns.resolveTxt is not allowed/);
  });

  it('should refuse a fetch to a host not granted before any connection is made', async () => {
    const error = await failureOf(attempt('fetch', `${server.url}/private`));
    expect(error.message).toMatch(/host 127\.0\.0\.1:\d+ is not in the plugin's granted hosts/);
    expect(error.retriable).toBe(false);
    expect(server.connections()).toBe(0);
  });

  it('should keep its connect guard when the plugin tries to put the original back', async () => {
    const before = server.connections();
    const error = await failureOf(attempt('restoreConnect', `${server.url}/private`));
    expect(error.message).toMatch(/Cannot redefine property: connect/);
    // The guard is still in place in that process.
    const again = await failureOf(attempt('fetch', `${server.url}/private`));
    expect(again.message).toMatch(/not in the plugin's granted hosts/);
    expect(server.connections()).toBe(before);
    // The counter counts: the test process itself does reach the server.
    await (await fetch(`${server.url}/control`)).text();
    expect(server.connections()).toBe(before + 1);
    expect(server.paths).toEqual(['/control']);
  });

  it('should refuse the raw bindings and give the plugin an empty environment', async () => {
    const error = await failureOf(attempt('binding'));
    expect(error.message).toMatch(/process\.binding/);
    expect(error.retriable).toBe(false);
    expect(Object.keys(process.env).length).toBeGreaterThan(0);
    expect(await attempt('env')).toEqual({ keys: [] });
  });

  it('should kill a plugin that loops past its deadline, keeping the role responsive, and restart it', async () => {
    const before = { pid: await echoPid(), ...counters() };
    // The role's own timers must keep firing while the plugin spins.
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 20);
    try {
      const error = await failureOf(attempt('loop', undefined, 1500));
      expect(ticks).toBeGreaterThan(0);
      expect(error.message).toMatch(/process did not stop within 500 ms of its deadline/);
      expect(error.retriable).toBe(true);
    } finally {
      clearInterval(ticker);
    }
    expect(counters().timeouts).toBe(before.timeouts + 1);
    expect(counters().restarts).toBe(before.restarts + 1);
    expect(counters().lastError).toMatch(/did not stop within/);
    await eventually(async () => (isAlive(before.pid) ? undefined : true), 10_000);
    const after = await echoPid();
    expect(after).not.toBe(before.pid);
    expect(plugins.list()[0]!.status).toBe('ACTIVE');
  });

  it('should answer a call made while a looping call awaits its kill from a new process', async () => {
    const before = await echoPid();
    const loopsBefore = logLines.filter((line) => line === 'looping').length;
    const controller = new AbortController();
    // Issued in the same turn as the deadline, after the runner saw it: it must not join the
    // doomed process and die with it.
    const next = new Promise<number>((resolve, reject) =>
      controller.signal.addEventListener('abort', () => echoPid().then(resolve, reject)),
    );
    const looping = failureOf(
      plugins.actions
        .find((candidate) => candidate.name === 'escape.attempt')!
        .run({ kind: 'loop' }, {
          runId: 'sandbox-test',
          stepId: 'loop',
          attempt: 1,
          signal: controller.signal,
        } as never),
    );
    // Abort once the plugin says it is looping (its stdout reaches the role's log).
    await eventually(
      async () =>
        logLines.filter((line) => line === 'looping').length > loopsBefore ? true : undefined,
      10_000,
    );
    controller.abort();
    expect(await next).not.toBe(before);
    expect((await looping).message).toMatch(/did not stop within/);
  });

  it('should end a plugin that fills its heap at the heap limit, then answer again', async () => {
    const before = { pid: await echoPid(), ...counters() };
    const error = await failureOf(attempt('heap'));
    expect(error.message).toMatch(/heap limit reached/);
    expect(error.retriable).toBe(true);
    expect(counters().restarts).toBe(before.restarts + 1);
    expect(await echoPid()).not.toBe(before.pid);
  });

  it('should kill a plugin whose buffers pass its resident ceiling, then answer again', async () => {
    const before = { pid: await echoPid(), ...counters() };
    const error = await failureOf(attempt('buffers'));
    expect(error.message).toMatch(/resident memory \d+ MiB above its 160 MiB limit/);
    expect(error.retriable).toBe(true);
    expect(counters().restarts).toBe(before.restarts + 1);
    expect(await echoPid()).not.toBe(before.pid);
    expect(counters().failures).toBeGreaterThanOrEqual(before.failures + 1);
  });
});

describe('createPluginTestHarness: the example plugin, as its author would test it', () => {
  let docs: Awaited<ReturnType<typeof startCountingServer>>;

  beforeAll(async () => {
    docs = await startCountingServer();
  });

  afterAll(async () => {
    await docs?.close();
  });

  it('should slugify and reach its granted documentation host', async () => {
    const harness = await createPluginTestHarness({
      folder: EXAMPLE,
      config: { prefix: 'ui-', docsUrl: docs.url },
    });
    try {
      expect(await harness.run('slugify', { names: ['Primary Button', 'Crème Brûlée!'] })).toEqual({
        slugs: ['ui-primary-button', 'ui-creme-brulee'],
      });
      expect(await harness.run('checkDocs', { path: '/guide' })).toEqual({
        status: 200,
        ok: true,
      });
      expect(docs.connections()).toBe(1);
      expect(docs.paths).toEqual(['/guide']);
      const view = harness.view();
      expect(view.status).toBe('ACTIVE');
      expect(view.counters).toMatchObject({ executions: 2, failures: 0, timeouts: 0 });
    } finally {
      await harness.stop();
    }
  });

  it('should refuse a configuration as the role would, naming the instance path', async () => {
    await expect(
      createPluginTestHarness({ folder: EXAMPLE, config: { maxLength: 1 } }),
    ).rejects.toThrow(/plugin refused: invalid configuration: \/maxLength must be >= 8/);
  });
});
