import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { gatewayOptionsFromEnv, startGateway, type RunningGateway } from '../../../gateway/src';
import {
  startForeignSubgraphs,
  type ForeignSubgraphs,
} from '../../fixtures/foreign-supergraph/subgraphs';
import { postGraphQL } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';

const JWT_SECRET = 'a-test-secret-of-enough-length';
const SIGNING_SECRET = 'gateway-to-subgraph-secret';
const token = (claims: Record<string, unknown> = { sub: 'user-1' }, secret = JWT_SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));

describe('gateway security and limits', () => {
  let subgraphs: ForeignSubgraphs;
  let gateway: RunningGateway;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const healthy = async () =>
    expect((await postGraphQL(gateway.graphqlUrl, '{ me { id } }')).data).toEqual({
      me: { id: '1' },
    });

  beforeAll(async () => {
    subgraphs = await startForeignSubgraphs({ gatewaySecret: SIGNING_SECRET });
    const path = join(mkdtempSync(join(tmpdir(), 'gw-sec-')), 'supergraph.graphql');
    writeFileSync(path, subgraphs.supergraphSdl);
    gateway = await startGateway(
      gatewayOptionsFromEnv(
        testEnv({
          NODE_ENV: 'production',
          SUPERGRAPH_PATH: path,
          SUBSCRIPTIONS_ENABLED: 'false',
          JWT_SECRET,
          REQUIRE_AUTH: 'mutation',
          GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
          MAX_DEPTH: '4',
          MAX_ALIASES: '3',
          MAX_COST: '50',
          MAX_BATCH: '2',
          BODY_LIMIT: '2kb',
          SUBGRAPH_TIMEOUT_MS: '300',
        }),
      ),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await subgraphs?.stop();
  });

  afterEach(async () => {
    await healthy();
  });

  it('should refuse a subgraph request not signed by the gateway', async () => {
    const response = await fetch(subgraphs.urls.accounts!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(401);
  });

  it('should refuse a mutation without a token with UNAUTHENTICATED', async () => {
    const response = await post({ query: 'mutation { renameUser(id: "1", name: "Ada") { id } }' });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('should refuse an invalid token with 401 UNAUTHENTICATED', async () => {
    const response = await post(
      { query: '{ me { id } }' },
      { authorization: `Bearer ${await token({ sub: 'x' }, 'another-secret-of-enough-length')}` },
    );
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('should run a mutation with a valid token through signed subgraph requests', async () => {
    const response = await post(
      { query: 'mutation { renameUser(id: "1", name: "Ada L.") { name } }' },
      { authorization: `Bearer ${await token()}` },
    );
    expect(await response.json()).toEqual({ data: { renameUser: { name: 'Ada L.' } } });
  });

  it.each([
    ['depth', '{ me { reviews { product { reviews { author { id } } } } } }'],
    ['aliases', '{ a: me { id } b: me { id } c: me { id } d: me { id } }'],
    ['cost', '{ topProducts(first: 30) { upc name price } }'],
  ])('should refuse an operation over the %s limit with BAD_USER_INPUT', async (limit, query) => {
    const response = await post({ query });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      errors: { extensions: { code: string; limit: string } }[];
    };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit });
  });

  it('should refuse a batch larger than allowed with 400', async () => {
    const response = await post([
      { query: '{ me { id } }' },
      { query: '{ me { id } }' },
      { query: '{ me { id } }' },
    ]);
    expect(response.status).toBe(400);
  });

  it('should answer a batch within the limit', async () => {
    const response = await post([{ query: '{ me { id } }' }, { query: '{ users { id } }' }]);
    expect(((await response.json()) as unknown[]).length).toBe(2);
  });

  it('should refuse a body over the size limit with 413', async () => {
    const response = await post({ query: `{ me { id } } # ${'x'.repeat(4096)}` });
    expect(response.status).toBe(413);
  });

  it('should refuse a simple GET without a preflight header (CSRF prevention)', async () => {
    const response = await fetch(
      `${gateway.graphqlUrl}?query=${encodeURIComponent('{ me { id } }')}`,
    );
    expect(response.status).toBe(400);
  });

  it('should answer GATEWAY_TIMEOUT when a subgraph is too slow', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, '{ slowUsers(delayMs: 1500) { id } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('GATEWAY_TIMEOUT');
  });

  it('should mask unexpected errors in production but keep their code and drop stack traces', async () => {
    const response = await post(
      { query: 'mutation { renameUser(id: "404", name: "x") { id } }' },
      { authorization: `Bearer ${await token()}` },
    );
    const body = (await response.json()) as {
      errors: { message: string; extensions: Record<string, unknown> }[];
    };
    expect(body.errors[0]?.message).toBe('Internal server error');
    expect(body.errors[0]?.extensions.code).toBeDefined();
    expect(JSON.stringify(body)).not.toContain('stacktrace');
  });
});
