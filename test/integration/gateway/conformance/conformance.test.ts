import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { gatewayOptionsFromEnv, startGateway, type RunningGateway } from '../../../../gateway/src';
import { SubgraphDataSource } from '../../../../gateway/src/createDataSource';
import { createFastGateway, type ExecutionPath } from '../../../../gateway/src/executor';
import {
  startPlainGateway,
  type PlainGateway,
} from '../../../fixtures/foreign-supergraph/plainGateway';
import { testEnv } from '../../../utils/servicesEnv';
import { CONFORMANCE_CASES, type ConformanceCase } from './fixtures/cases';
import {
  startConformanceSubgraphs,
  type ConformanceSubgraphs,
} from './fixtures/startConformanceSubgraphs';

/**
 * Status and body of a GraphQL POST: what a client sees. `text` is the body re-serialised, so
 * comparing it checks the order of fields too (deep equality ignores key order).
 */
async function post(url: string, { query, variables, operationName }: ConformanceCase) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const body = (await response.json()) as unknown;
  return { status: response.status, body, text: JSON.stringify(body) };
}

describe('gateway conformance with a plain @apollo/gateway', () => {
  let subgraphs: ConformanceSubgraphs;
  let ours: RunningGateway;
  let plain: PlainGateway;
  // The fast executor alone (no plugins), recording which path each request took.
  let bare: { url: string; stop(): Promise<void> };
  const paths: ExecutionPath[] = [];

  beforeAll(async () => {
    subgraphs = await startConformanceSubgraphs();
    const path = join(mkdtempSync(join(tmpdir(), 'gw-conformance-')), 'supergraph.graphql');
    writeFileSync(path, subgraphs.supergraphSdl);
    ours = await startGateway(
      gatewayOptionsFromEnv(
        testEnv({
          SUPERGRAPH_PATH: path,
          SUPERGRAPH_WATCH: 'false',
          SUBSCRIPTIONS_ENABLED: 'false',
        }),
      ),
    );
    plain = await startPlainGateway(subgraphs.supergraphSdl);
    const server = new ApolloServer({
      gateway: createFastGateway(
        new ApolloGateway({
          supergraphSdl: subgraphs.supergraphSdl,
          buildService: ({ name, url }) => new SubgraphDataSource({ name, url: url ?? '' }),
        }),
        { onExecute: (taken) => paths.push(taken) },
      ),
    });
    const { url } = await startStandaloneServer(server, {
      listen: { port: 0, host: '127.0.0.1' },
    });
    bare = { url, stop: () => server.stop() };
  });

  afterAll(async () => {
    await ours?.stop();
    await bare?.stop();
    await plain?.stop();
    await subgraphs?.stop();
  });

  it.each(CONFORMANCE_CASES.map((c) => [c.name, c] as const))(
    'should answer %s exactly as a plain @apollo/gateway',
    async (_name, conformanceCase) => {
      const expected = await post(plain.url, conformanceCase);
      // Guards the fixture: a case meant to succeed that errs tests nothing of interest.
      expect(Object.hasOwn(expected.body as object, 'errors')).toBe(
        conformanceCase.expectErrors ?? false,
      );
      expect(await post(ours.graphqlUrl, conformanceCase)).toEqual(expected);
      paths.length = 0;
      expect(await post(bare.url, conformanceCase)).toEqual(expected);
      expect(paths).toEqual(conformanceCase.path === undefined ? [] : [conformanceCase.path]);
    },
  );

  it('should answer the same again once the operation is prepared (cached plan and shaper)', async () => {
    for (const conformanceCase of CONFORMANCE_CASES) {
      const expected = await post(plain.url, conformanceCase);
      expect(await post(ours.graphqlUrl, conformanceCase)).toEqual(expected);
    }
  });

  // Last: it stops a subgraph. The one deliberate difference: plain Apollo answers an internal
  // error naming the subgraph's URL; ours a typed SERVICE_UNAVAILABLE naming the subgraph
  // (docs/resilience.md), with the same data and status.
  it('should answer a subgraph that refuses connections as a plain @apollo/gateway, with a typed error', async () => {
    const down: ConformanceCase = {
      name: 'inventory down',
      query: '{ topProducts { upc ... on Furniture { inStock } } }',
    };
    await subgraphs.stopSubgraph('inventory');
    type Answer = { data: unknown; errors?: { path?: unknown[] }[] };
    const expected = await post(plain.url, down);
    const expectedBody = expected.body as Answer;
    expect(expectedBody.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    ]);
    const path = expectedBody.errors?.[0]?.path;
    const typed = {
      message: 'subgraph inventory is unreachable',
      extensions: { code: 'SERVICE_UNAVAILABLE', subgraph: 'inventory', reason: 'UNREACHABLE' },
      ...(path && { path }),
    };
    for (const url of [ours.graphqlUrl, bare.url]) {
      const answer = await post(url, down);
      const body = answer.body as Answer;
      expect({ status: answer.status, data: body.data }).toEqual({
        status: expected.status,
        data: expectedBody.data,
      });
      expect(body.errors).toEqual([typed]);
    }
  });
});
