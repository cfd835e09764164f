import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayOptionsFromEnv, startGateway, type RunningGateway } from '../../../gateway/src';
import {
  startForeignSubgraphs,
  type ForeignSubgraphs,
} from '../../fixtures/foreign-supergraph/subgraphs';
import { eventually, postGraphQL, type GraphQLResponse } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';
import { startFlakyProxy, type FlakyProxy, type ProxyMode } from './fixtures/flakyProxy';

/** `me` comes from accounts (behind the proxy), `topProducts` from products. */
const QUERY = '{ me { id name } topProducts(first: 2) { upc name } }';

interface Data {
  me: { id: string; name: string } | null;
  topProducts: { upc: string; name: string }[];
}

interface BreakerView {
  name: string;
  state: string;
  counts: Record<string, number>;
  openedAt: string | null;
  nextAttemptAt: string | null;
}

describe('gateway subgraph circuit breakers', () => {
  let subgraphs: ForeignSubgraphs;
  let proxy: FlakyProxy;
  let gateway: RunningGateway;
  let supergraphPath: string;

  const breakerOf = async (name: string) => {
    const response = await fetch(`${gateway.url}/breakers`);
    const body = (await response.json()) as { breakers: BreakerView[] };
    return body.breakers.find((b) => b.name === name);
  };
  const query = () => postGraphQL<Data>(gateway.graphqlUrl, QUERY);
  /** Sends queries until the accounts breaker is open; returns the responses sent meanwhile. */
  const driveUntilOpen = async () => {
    const seen: GraphQLResponse<Data>[] = [];
    await eventually(
      async () => {
        seen.push(await query());
        return (await breakerOf('accounts'))?.state === 'OPEN' ? true : undefined;
      },
      20_000,
      1,
    );
    return seen;
  };

  beforeAll(async () => {
    subgraphs = await startForeignSubgraphs();
    supergraphPath = join(mkdtempSync(join(tmpdir(), 'gw-breakers-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, subgraphs.supergraphSdl);
  });

  /** A gateway whose accounts subgraph is behind a new proxy; `resetMs` is the open time. */
  const start = async (resetMs: number) => {
    proxy = await startFlakyProxy(subgraphs.urls.accounts ?? '');
    gateway = await startGateway(
      gatewayOptionsFromEnv(
        testEnv({
          SUPERGRAPH_PATH: supergraphPath,
          SUPERGRAPH_WATCH: 'false',
          SUBSCRIPTIONS_ENABLED: 'false',
          SUBGRAPH_URLS: `accounts=${proxy.url}`,
          SUBGRAPH_TIMEOUT_MS: '300',
          GATEWAY_BREAKER_VOLUME: '5',
          GATEWAY_BREAKER_ERROR_PERCENT: '50',
          GATEWAY_BREAKER_RESET_MS: String(resetMs),
        }),
      ),
    );
  };

  afterEach(async () => {
    await gateway?.stop();
    await proxy?.stop();
  });

  afterAll(async () => {
    await subgraphs?.stop();
  });

  it('should open on a failing subgraph, then half-open and close once it recovers', async () => {
    await start(200);
    expect((await query()).data?.me?.id).toBe('1');
    proxy.setMode('fail');
    await driveUntilOpen();
    const open = await breakerOf('accounts');
    expect(open).toMatchObject({ state: 'OPEN', openedAt: expect.any(String) });
    expect(Date.parse(open?.nextAttemptAt ?? '')).toBe(Date.parse(open?.openedAt ?? '') + 200);

    proxy.setMode('pass');
    // The first query after the reset time is the half-open trial; it succeeds and closes.
    await eventually(
      async () => ((await query()).data?.me?.id === '1' ? true : undefined),
      20_000,
      20,
    );
    expect(await breakerOf('accounts')).toMatchObject({ state: 'CLOSED', openedAt: null });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('circuit_breaker_state{breaker="accounts"} 0');
    for (const to of ['OPEN', 'HALF_OPEN', 'CLOSED']) {
      expect(metrics).toMatch(
        new RegExp(`circuit_breaker_transitions_total\\{breaker="accounts",to="${to}"\\} [1-9]`),
      );
    }
  });

  it.each<[string, ProxyMode]>([
    ['stopped (connections reset)', 'drop'],
    ['hanging (no answer)', 'hang'],
  ])(
    'should give partial results and stop calling a %s subgraph once its breaker is open',
    async (_name, mode) => {
      // Open for longer than the test: no half-open trial may reach the subgraph.
      await start(600_000);
      expect((await query()).data?.me?.id).toBe('1');
      proxy.setMode(mode);
      const during = await driveUntilOpen();
      // Before and after opening: the products field always resolves, `me` carries an error.
      for (const response of during) {
        expect(response.data?.topProducts).toHaveLength(2);
        expect(response.data?.me).toBeNull();
        // Before it opens too, the error on `me` is typed (a reset, a timeout), never masked.
        for (const error of response.errors ?? [])
          expect(['SERVICE_UNAVAILABLE', 'GATEWAY_TIMEOUT']).toContain(error.extensions?.code);
      }
      const hitsWhenOpen = proxy.hits;
      const afterOpen = await Promise.all(Array.from({ length: 20 }, () => query()));
      for (const response of afterOpen) {
        expect(response.data).toEqual({
          me: null,
          topProducts: [
            { upc: 'b1', name: 'Structure and Interpretation' },
            { upc: 'b2', name: 'The Art of Programming' },
          ],
        });
        expect(response.errors).toEqual([
          expect.objectContaining({
            path: ['me'],
            extensions: expect.objectContaining({
              code: 'SERVICE_UNAVAILABLE',
              subgraph: 'accounts',
              reason: 'CIRCUIT_OPEN',
            }),
          }),
        ]);
      }
      expect(proxy.hits).toBe(hitsWhenOpen);
      expect((await breakerOf('accounts'))?.counts.rejects).toBeGreaterThanOrEqual(20);
    },
  );
});
