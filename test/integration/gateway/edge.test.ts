import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SignJWT } from 'jose';
import pino from 'pino';
import WebSocket from 'ws';
import { gatewayOptionsFromEnv, startGateway, type RunningGateway } from '../../../gateway/src';
import { startSubgraphServer, type RunningSubgraph } from '../../../lib/graphql';
import { createLogger } from '../../../lib/logging';
import { eventually } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';

/** One subgraph with every operation type, the subscription shaped like the workflow's. */
const SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type User @key(fields: "id") {
    id: ID!
    name: String!
  }
  type RunProgressEvent @key(fields: "id") {
    id: ID!
    runId: ID!
    sequence: Int!
    cursor: String!
    kind: String!
    status: String!
  }
  type Query {
    me: User
    users: [User!]!
    runProgressEvents(runId: ID!, after: String, first: Int = 100): [RunProgressEvent!]!
    runProgressEvent(id: ID!): RunProgressEvent
  }
  type Mutation {
    renameUser(id: ID!, name: String!): User!
  }
  type Subscription {
    runProgress(runId: ID!, after: String): RunProgressEvent!
  }
`;

/** Starts the subgraph on a free port and writes its supergraph to a file. */
async function startEdgeSubgraph(): Promise<{ subgraph: RunningSubgraph; supergraphPath: string }> {
  const users = [{ id: '1', name: 'Ada' }];
  const subgraph = await startSubgraphServer({
    name: 'accounts',
    typeDefs: parse(SDL),
    resolvers: {
      Query: {
        me: () => users[0],
        users: () => users,
        runProgressEvents: () => [],
        runProgressEvent: () => null,
      },
      Mutation: {
        renameUser: (_: unknown, args: { id: string; name: string }) => ({ ...args }),
      },
    },
    createContext: (base) => base,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ name: 'fixture', level: 'warn' }),
  });
  const composition = composeServices([
    { name: 'accounts', typeDefs: parse(SDL), url: subgraph.graphqlUrl },
  ]);
  if (composition.errors) throw new Error(composition.errors.map((e) => e.message).join('\n'));
  const supergraphPath = join(mkdtempSync(join(tmpdir(), 'gw-edge-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, composition.supergraphSdl);
  return { subgraph, supergraphPath };
}

const JWT_SECRET = 'a-test-secret-of-enough-length';
const BODY_LIMIT_BYTES = 2048;

const token = (claims: Record<string, unknown> = { sub: 'user-1' }) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(JWT_SECRET));

/** An unsigned token (`alg: none`): jose refuses it with a message naming its own internals. */
const unsignedToken = () => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'mallory' })}.`;
};

interface ErrorBody {
  errors: { message: string; extensions?: Record<string, unknown> }[];
}

/** Nothing in a client-facing body may reveal server internals. */
function expectNoInternals(text: string) {
  expect(text).not.toMatch(/stacktrace|<html|<pre>|node_modules|\/work\/|at [\w.<>]+ \(/i);
}

/** A raw graphql-transport-ws socket that records frames and how it closed. */
function openSocket(url: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const frames: { type: string; id?: string; payload?: unknown }[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as (typeof frames)[number]);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  // Swallow late errors (a refused socket emits one after close).
  socket.on('error', () => undefined);
  const frame = (predicate: (f: (typeof frames)[number]) => boolean) =>
    new Promise<(typeof frames)[number]>((resolve, reject) => {
      const check = () => {
        const found = frames.find(predicate);
        if (found) return resolve(found);
        waiters.push(check);
      };
      void closed.then(({ code }) => {
        const found = frames.find(predicate);
        if (found) resolve(found);
        else reject(new Error(`socket closed ${code} before the expected frame`));
      });
      check();
    });
  return {
    socket,
    closed,
    frame,
    async init(payload: Record<string, unknown> = {}) {
      await opened;
      socket.send(JSON.stringify({ type: 'connection_init', payload }));
      return frame((f) => f.type === 'connection_ack');
    },
    send(message: unknown) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    /** Subscribes and resolves with the first `next` or `error` frame of that id. */
    operation(id: string, query: string, extra: Record<string, unknown> = {}) {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, ...extra } }));
      return frame((f) => f.id === id && (f.type === 'next' || f.type === 'error'));
    },
    close() {
      socket.close();
    },
  };
}

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe.each([
  ['production', 'production'],
  ['development', 'development'],
] as const)('gateway edge (%s)', (_mode, nodeEnv) => {
  const production = nodeEnv === 'production';
  let subgraph: RunningSubgraph;
  let gateway: RunningGateway;
  let logLines: Record<string, unknown>[];
  const sockets: ReturnType<typeof openSocket>[] = [];
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const socket = () => {
    const opened = openSocket(gateway.subscriptionsUrl);
    sockets.push(opened);
    return opened;
  };

  beforeAll(async () => {
    const started = await startEdgeSubgraph();
    subgraph = started.subgraph;
    const capture = capturingLogger();
    logLines = capture.lines;
    gateway = await startGateway(
      gatewayOptionsFromEnv(
        testEnv({
          NODE_ENV: nodeEnv,
          // Development defaults to `auto`, which probes Apollo's CDN: tests stay off the internet.
          GATEWAY_EXPLORER: production ? 'off' : 'sandbox',
          SUPERGRAPH_PATH: started.supergraphPath,
          SUPERGRAPH_WATCH: 'false',
          SUBSCRIPTIONS_ENABLED: 'true',
          JWT_SECRET,
          REQUIRE_AUTH: 'mutation,subscription',
          BODY_LIMIT: `${BODY_LIMIT_BYTES}b`,
        }),
      ),
      capture.logger,
    );
    // Its live events joined: stopping the gateway while it still creates its topics would leave
    // that work running past the test.
    await eventually(async () => {
      const ready = (await (await fetch(`${gateway.url}/ready`)).json()) as {
        checks: Record<string, boolean>;
      };
      return ready.checks.subscriptionEvents ? true : undefined;
    }, 120_000);
  });

  afterEach(() => {
    for (const opened of sockets.splice(0)) opened.close();
  });

  afterAll(async () => {
    await gateway?.stop();
    await subgraph?.stop();
  });

  describe('over HTTP', () => {
    it('should answer malformed JSON with 400 BAD_REQUEST in GraphQL JSON', async () => {
      const response = await post('{"query": "{ me { id } }"');
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const text = await response.text();
      expectNoInternals(text);
      expect(JSON.parse(text)).toEqual({
        errors: [{ message: expect.any(String), extensions: { code: 'BAD_REQUEST' } }],
      });
    });

    it('should answer a JSON body that is not an object with 400 BAD_REQUEST', async () => {
      const response = await post('"{ me { id } }"');
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.errors[0]?.extensions?.code).toBe('BAD_REQUEST');
    });

    it('should answer an unknown operationName with 400, unmasked', async () => {
      const response = await post({ query: 'query A { me { id } }', operationName: 'B' });
      expect(response.status).toBe(400);
      const text = await response.text();
      expectNoInternals(text);
      const body = JSON.parse(text) as ErrorBody;
      expect(body.errors).toEqual([
        {
          message: 'Unknown operation named "B".',
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
        },
      ]);
    });

    it('should answer two anonymous operations with 400, unmasked', async () => {
      const response = await post({ query: '{ me { id } } { users { id } }' });
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.errors[0]?.extensions?.code).toMatch(
        /^(OPERATION_RESOLUTION_FAILURE|GRAPHQL_VALIDATION_FAILED)$/,
      );
      expect(body.errors[0]?.message).not.toBe('Internal server error');
    });

    it('should answer two operations without operationName with 400 OPERATION_RESOLUTION_FAILURE', async () => {
      const response = await post({ query: 'query A { me { id } } query B { users { id } }' });
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.errors).toEqual([
        {
          message: 'Must provide operation name if query contains multiple operations.',
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
        },
      ]);
    });

    it(`should ${production ? 'not ' : ''}suggest field names`, async () => {
      const response = await post({ query: '{ me { nme } }' });
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(/Did you mean "name"\?/.test(body.errors[0]?.message ?? '')).toBe(!production);
    });

    it('should refuse an alg:none token with a fixed UNAUTHENTICATED message', async () => {
      const response = await post(
        { query: '{ me { id } }' },
        { authorization: `Bearer ${unsignedToken()}` },
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        errors: [{ message: 'invalid token', extensions: { code: 'UNAUTHENTICATED' } }],
      });
    });

    it('should refuse an anonymous mutation with UNAUTHENTICATED and serve an anonymous query', async () => {
      const mutation = await post({
        query: 'mutation { renameUser(id: "1", name: "Ada") { id } }',
      });
      const body = (await mutation.json()) as ErrorBody;
      expect(body.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(await (await post({ query: '{ me { id } }' })).json()).toEqual({
        data: { me: { id: '1' } },
      });
    });

    it('should answer a body over the limit with 413 in GraphQL JSON', async () => {
      const response = await post({ query: `{ me { id } } # ${'x'.repeat(BODY_LIMIT_BYTES)}` });
      expect(response.status).toBe(413);
      const body = (await response.json()) as ErrorBody;
      expect(body.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'body' });
    });

    it('should answer an unknown path with 404 in GraphQL JSON', async () => {
      const response = await fetch(`${gateway.url}/nope`, { method: 'POST' });
      expect(response.status).toBe(404);
      const text = await response.text();
      expectNoInternals(text);
      expect(JSON.parse(text)).toEqual({
        errors: [{ message: expect.any(String), extensions: { code: 'NOT_FOUND' } }],
      });
    });

    it('should serve the landing page it announces', async () => {
      const response = await fetch(gateway.graphqlUrl, { headers: { accept: 'text/html' } });
      const ready = logLines.find((line) => line.msg === 'gateway ready');
      expect(ready).toMatchObject({
        landingPage: production ? 'none' : 'Apollo Sandbox (embedded)',
        introspection: !production,
        subscriptions: gateway.subscriptionsUrl,
      });
      // Production: no page at all (a GET without a query is a GraphQL JSON 400).
      expect(response.status).toBe(production ? 400 : 200);
      expect(/sandbox/i.test(await response.text())).toBe(!production);
    });
  });

  describe('over WebSocket', () => {
    it('should accept an anonymous connection and serve a query over it', async () => {
      const ws = socket();
      await ws.init();
      expect(await ws.operation('1', '{ me { id } }')).toMatchObject({
        type: 'next',
        payload: { data: { me: { id: '1' } } },
      });
    });

    it('should refuse an anonymous subscription and mutation with UNAUTHENTICATED, as HTTP does', async () => {
      const ws = socket();
      await ws.init();
      const subscription = await ws.operation(
        's',
        'subscription { runProgress(runId: "r1") { sequence } }',
      );
      expect(subscription).toEqual({
        id: 's',
        type: 'error',
        payload: [
          {
            message: 'subscriptions require authentication',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
      const mutation = await ws.operation(
        'm',
        'mutation { renameUser(id: "1", name: "Ada") { id } }',
      );
      expect(mutation).toEqual({
        id: 'm',
        type: 'error',
        payload: [
          { message: 'mutations require authentication', extensions: { code: 'UNAUTHENTICATED' } },
        ],
      });
    });

    it('should run a mutation over a connection authenticated in connection_init', async () => {
      const ws = socket();
      await ws.init({ authorization: `Bearer ${await token()}` });
      expect(
        await ws.operation('m', 'mutation { renameUser(id: "1", name: "Ada") { id } }'),
      ).toMatchObject({ type: 'next', payload: { data: { renameUser: { id: '1' } } } });
    });

    it('should close a connection whose token is invalid with 4401', async () => {
      const ws = socket();
      await ws.init({ authorization: `Bearer ${unsignedToken()}` }).catch(() => undefined);
      expect(await ws.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
    });

    it('should answer a subscribe that does not parse with GRAPHQL_PARSE_FAILED', async () => {
      const ws = socket();
      await ws.init();
      const error = (await ws.operation('1', '{ me { id }')) as {
        type: string;
        payload: ErrorBody['errors'];
      };
      expect(error.type).toBe('error');
      expect(error.payload.length).toBeGreaterThan(0);
      for (const e of error.payload) expect(e.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      expectNoInternals(JSON.stringify(error));
    });

    it(`should answer an invalid subscribe with GRAPHQL_VALIDATION_FAILED${production ? ' and no suggestions' : ''}`, async () => {
      const ws = socket();
      await ws.init();
      const error = (await ws.operation('1', '{ me { nme } users { nam } }')) as {
        type: string;
        payload: ErrorBody['errors'];
      };
      expect(error.type).toBe('error');
      expect(error.payload).toHaveLength(2);
      for (const e of error.payload) {
        expect(e.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(/did you mean/i.test(e.message)).toBe(!production);
      }
    });

    it('should refuse a subscription past the alias limit with BAD_USER_INPUT, as HTTP does', async () => {
      const ws = socket();
      await ws.init({ authorization: `Bearer ${await token()}` });
      const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ');
      const error = (await ws.operation(
        '1',
        `subscription { runProgress(runId: "r1") { ${aliases} } }`,
      )) as { type: string; payload: ErrorBody['errors'] };
      expect(error.type).toBe('error');
      expect(error.payload.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(error.payload[0]?.message).toMatch(/aliases 31 exceeds the limit of 30/);
    });

    it('should answer an unknown operationName with OPERATION_RESOLUTION_FAILURE', async () => {
      const ws = socket();
      await ws.init();
      const error = (await ws.operation('1', 'query A { me { id } }', {
        operationName: 'B',
      })) as { type: string; payload: ErrorBody['errors'] };
      expect(error).toEqual({
        id: '1',
        type: 'error',
        payload: [
          {
            message: 'Unknown operation named "B".',
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
          },
        ],
      });
    });

    it('should close with 4400 on a message that is not JSON', async () => {
      const ws = socket();
      await ws.init();
      ws.send('{ "type": "subscribe"');
      expect(await ws.closed).toEqual({ code: 4400, reason: 'Invalid message received' });
    });

    it('should close with 1009 when connection_init is larger than the body limit', async () => {
      const ws = socket();
      await ws.init({ padding: 'x'.repeat(BODY_LIMIT_BYTES + 1) }).catch(() => undefined);
      expect((await ws.closed).code).toBe(1009);
    });

    it('should close with 1009 when a subscribe message is larger than the body limit', async () => {
      const ws = socket();
      await ws.init();
      ws.send({
        id: '1',
        type: 'subscribe',
        payload: { query: '{ me { id } }', variables: { padding: 'x'.repeat(BODY_LIMIT_BYTES) } },
      });
      expect((await ws.closed).code).toBe(1009);
    });

    it('should keep serving a message just under the limit', async () => {
      const ws = socket();
      await ws.init();
      const padding = 'x'.repeat(BODY_LIMIT_BYTES - 200);
      expect(await ws.operation('1', `{ me { id } } # ${padding}`)).toMatchObject({
        type: 'next',
        payload: { data: { me: { id: '1' } } },
      });
    });
  });
});
