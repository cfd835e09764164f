import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { gatewayOptionsFromEnv, startGateway, type RunningGateway } from '../../../gateway/src';
import {
  startForeignSubgraphs,
  type ForeignSubgraphs,
} from '../../fixtures/foreign-supergraph/subgraphs';
import { eventually } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';
import { collect } from './fixtures/collect';
import { startProgressFixture, type ProgressFixture } from './fixtures/progressSubgraphs';

const JWT_SECRET = 'a-test-secret-of-enough-length';
const token = (sub: string) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(JWT_SECRET));

describe('gateway inbound rate limits', () => {
  describe('over HTTP', () => {
    let subgraphs: ForeignSubgraphs;
    let gateway: RunningGateway;

    beforeAll(async () => {
      subgraphs = await startForeignSubgraphs();
      const path = join(mkdtempSync(join(tmpdir(), 'gw-limits-')), 'supergraph.graphql');
      writeFileSync(path, subgraphs.supergraphSdl);
      gateway = await startGateway(
        gatewayOptionsFromEnv(
          testEnv({
            SUPERGRAPH_PATH: path,
            SUPERGRAPH_WATCH: 'false',
            SUBSCRIPTIONS_ENABLED: 'false',
            JWT_SECRET,
            GATEWAY_RATE_LIMIT_QUERY: '3/60',
            GATEWAY_RATE_LIMIT_MUTATION: '100/60',
          }),
        ),
      );
    });

    afterAll(async () => {
      await gateway?.stop();
      await subgraphs?.stop();
    });

    const post = async (query: string, sub?: string) =>
      fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(sub && { authorization: `Bearer ${await token(sub)}` }),
        },
        body: JSON.stringify({ query }),
      });

    it('should answer 429 RATE_LIMITED with Retry-After over a client query limit, and serve other clients', async () => {
      for (let i = 0; i < 3; i++) expect((await post('{ me { id } }', 'alice')).status).toBe(200);
      const refused = await post('{ me { id } }', 'alice');
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await refused.json()) as {
        data?: unknown;
        errors: { extensions: Record<string, unknown> }[];
      };
      expect(body.data).toBeUndefined();
      expect(body.errors[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        operation: 'query',
        retryAfterSeconds: retryAfter,
      });
      // Another subject, an anonymous client (keyed by address) and alice's mutations are apart.
      const bob = await post('{ me { id } }', 'bob');
      expect(bob.status).toBe(200);
      expect(await bob.json()).toEqual({ data: { me: { id: '1' } } });
      expect((await post('{ me { id } }')).status).toBe(200);
      const mutation = await post('mutation { renameUser(id: "1", name: "Ada") { id } }', 'alice');
      expect(mutation.status).toBe(200);
    });
  });

  describe('over graphql-ws', () => {
    let fixture: ProgressFixture;

    beforeAll(async () => {
      fixture = await startProgressFixture();
    });

    afterAll(async () => {
      await fixture?.stop();
    });

    it('should refuse subscriptions over the limit with a RATE_LIMITED error frame', async () => {
      const gateway = await fixture.startGateway({ GATEWAY_RATE_LIMIT_SUBSCRIPTION: '2/60' });
      const runId = `run-${randomUUID()}`;
      await fixture.emit(runId, 'STARTED');
      const client = fixture.client(gateway);
      const query = 'subscription ($runId: ID!) { runProgress(runId: $runId) { sequence } }';
      const first = collect(client, query, { runId });
      const second = collect(client, query, { runId });
      await first.waitFor(1);
      await second.waitFor(1);
      const third = collect(client, query, { runId });
      const error = await eventually(async () => third.error, 20_000, 25);
      expect(error).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }),
      ]);
      expect(third.results).toEqual([]);
    });
  });
});
