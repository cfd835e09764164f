import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { REPO_ROOT, startSubgraphServer, type RunningSubgraph } from '../../../lib/graphql';
import { createLogger } from '../../../lib/logging';
import { eventually, postGraphQL } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';
import { collect } from './fixtures/collect';

/** The workflow subgraph's progress contract, served from memory: nothing here needs Kafka. */
const PROGRESS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type RunProgressEvent @key(fields: "id") {
    id: ID!
    runId: ID!
    sequence: Int!
    cursor: String!
    kind: String!
    status: String!
  }
  type Query {
    runProgressEvents(runId: ID!, after: String, first: Int = 100): [RunProgressEvent!]!
    runProgressEvent(id: ID!): RunProgressEvent
    runProgressSnapshot(runId: ID!): RunProgressEvent
  }
  type Mutation {
    "Echoes the note: a mutation needs no Kafka at the gateway."
    noteRun(runId: ID!, note: String!): String!
  }
  type Subscription {
    runProgress(runId: ID!, after: String): RunProgressEvent!
  }
`;

const STORED = [
  { id: 'r1:1', runId: 'r1', sequence: 1, cursor: '0001', kind: 'STARTED', status: 'RUNNING' },
];

/** A local port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Forwards a port to the real broker (bootstrap only: kafkajs then connects to the address the
 * broker advertises), so "Kafka is back" can happen on the port the gateway was given.
 */
function forwardTo(port: number, broker: string): Promise<Server> {
  const [host, brokerPort] = broker.split(':') as [string, string];
  const server = createServer((socket) => {
    const upstream = connect(Number(brokerPort), host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Starts gateway/src/main.ts as its own process, so that "does not exit" means the process. */
function startGatewayProcess(env: Record<string, string | undefined>) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', join(REPO_ROOT, 'gateway/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...env, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const onData = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  /**
   * Resolves with the first capture of `pattern` in the output from character `from` on;
   * rejects if the process exits first.
   */
  const waitForOutput = (pattern: RegExp, timeoutMs: number, from = 0) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output.slice(from));
        if (!match) return false;
        cleanup();
        resolve(match[1] ?? match[0]);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`gateway exited with ${code}:\n${output}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('exit', onExit);
      };
      if (check()) return;
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', onExit);
    });
  return { child, exited, waitForOutput, output: () => output };
}

describe('gateway with Kafka unreachable', () => {
  let subgraph: RunningSubgraph;
  let gateway: ReturnType<typeof startGatewayProcess>;
  let url: string;
  let kafkaPort: number;
  let kafkaBack: Server | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    const logger = createLogger({ name: 'fixture', level: 'warn' });
    subgraph = await startSubgraphServer({
      name: 'progress',
      typeDefs: parse(PROGRESS_SDL),
      resolvers: {
        Query: {
          runProgressEvents: (_: unknown, args: { runId: string }) =>
            STORED.filter((e) => e.runId === args.runId),
          runProgressEvent: (_: unknown, args: { id: string }) =>
            STORED.find((e) => e.id === args.id) ?? null,
          runProgressSnapshot: () => null,
        },
        Mutation: {
          noteRun: (_: unknown, args: { runId: string; note: string }) =>
            `${args.runId}: ${args.note}`,
        },
      },
      createContext: (base) => base,
      port: 0,
      host: '127.0.0.1',
      logger,
    });
    const composition = composeServices([
      { name: 'progress', typeDefs: parse(PROGRESS_SDL), url: subgraph.graphqlUrl },
    ]);
    if (composition.errors) throw new Error(composition.errors.map((e) => e.message).join('\n'));
    const supergraphPath = join(
      mkdtempSync(join(tmpdir(), 'gw-kafka-down-')),
      'supergraph.graphql',
    );
    writeFileSync(supergraphPath, composition.supergraphSdl);
    gateway = startGatewayProcess(
      testEnv({
        KAFKA_BROKERS: `127.0.0.1:${(kafkaPort = await closedPort())}`,
        SUPERGRAPH_PATH: supergraphPath,
        SUPERGRAPH_WATCH: 'false',
        // Subscriptions on, as by default.
        SUBSCRIPTIONS_ENABLED: 'true',
      }),
    );
    url = await gateway.waitForOutput(
      /"url":"(http:\/\/[^"]+?)\/graphql"[^\n]*"msg":"gateway ready"/,
      60_000,
    );
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    if (gateway && gateway.child.exitCode === null) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    await subgraph?.stop();
    await new Promise((resolve) => (kafkaBack ? kafkaBack.close(resolve) : resolve(undefined)));
  });

  it('should start and answer /health', async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', role: 'gateway' });
  });

  it('should say on /ready that subscription events, and only they, are degraded', async () => {
    const body = await eventually(async () => {
      const ready = await fetch(`${url}/ready`);
      const json = (await ready.json()) as { status: string; checks: Record<string, boolean> };
      return ready.status === 200 && json.checks.supergraph && json.checks.subgraphs
        ? json
        : undefined;
    });
    expect(body).toEqual({
      status: 'degraded',
      role: 'gateway',
      checks: { supergraph: true, subgraphs: true, subscriptionEvents: false },
      degraded: ['subscriptionEvents'],
    });
  });

  it('should answer queries through the gateway', async () => {
    const response = await postGraphQL(
      `${url}/graphql`,
      '{ runProgressEvents(runId: "r1") { id sequence kind } }',
    );
    expect(response).toEqual({
      data: { runProgressEvents: [{ id: 'r1:1', sequence: 1, kind: 'STARTED' }] },
    });
  });

  it('should run mutations through the gateway', async () => {
    const response = await postGraphQL(
      `${url}/graphql`,
      'mutation { noteRun(runId: "r1", note: "no Kafka needed") }',
    );
    expect(response).toEqual({ data: { noteRun: 'r1: no Kafka needed' } });
  });

  it('should answer a subscription SERVICE_UNAVAILABLE, then complete it', async () => {
    const client = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    clients.push(client);
    const sub = collect(
      client,
      'subscription ($runId: ID!) { runProgress(runId: $runId) { sequence } }',
      { runId: 'r1' },
    );
    const [result] = await sub.waitFor(1, 60_000);
    expect(result?.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(result?.errors?.[0]?.message).toMatch(/live events are unavailable/i);
    await sub.waitForCompletion();
    expect(sub.results).toHaveLength(1);
    // Queries over the same socket still work.
    const query = collect(client, '{ runProgressEvent(id: "r1:1") { sequence } }');
    await query.waitForCompletion();
    expect(query.results).toEqual([{ data: { runProgressEvent: { sequence: 1 } } }]);
  });

  it('should keep running and serving after joining Kafka has failed, and keep retrying', async () => {
    // kafkajs retries the broker connection for a while before the first join attempt (topic
    // set-up included) fails: the gateway used to exit right there.
    await gateway.waitForOutput(/"msg":"consumer restarting"/, 150_000);
    // Still trying (the streak is logged once): the restart counter on /metrics goes on rising.
    const restarts = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return [...text.matchAll(/^event_consumer_restarts_total\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    };
    const first = await restarts();
    expect(first).toBeGreaterThanOrEqual(1);
    await eventually(async () => ((await restarts()) > first ? true : undefined), 120_000);
    for (let i = 0; i < 3; i++) {
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      const response = await postGraphQL(
        `${url}/graphql`,
        '{ runProgressEvent(id: "r1:1") { sequence } }',
      );
      expect(response.data).toEqual({ runProgressEvent: { sequence: 1 } });
    }
    expect(gateway.child.exitCode).toBeNull();
    const ready = (await (await fetch(`${url}/ready`)).json()) as {
      checks: Record<string, boolean>;
    };
    expect(ready.checks).toEqual({ supergraph: true, subgraphs: true, subscriptionEvents: false });
  }, 180_000);

  it('should serve subscriptions once Kafka is reachable again', async () => {
    const broker = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!;
    kafkaBack = await forwardTo(kafkaPort, broker);
    await eventually(async () => {
      const ready = (await (await fetch(`${url}/ready`)).json()) as {
        checks: Record<string, boolean>;
      };
      return ready.checks.subscriptionEvents ? true : undefined;
    }, 240_000);
    const client = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    clients.push(client);
    // Resuming from before the stored event: it is replayed, live events would follow.
    const sub = collect(
      client,
      'subscription ($runId: ID!) { runProgress(runId: $runId, after: "0000") { sequence } }',
      { runId: 'r1' },
    );
    const [result] = await sub.waitFor(1, 60_000);
    expect(result).toEqual({ data: { runProgress: { sequence: 1 } } });
    sub.unsubscribe();
  }, 300_000);
});
