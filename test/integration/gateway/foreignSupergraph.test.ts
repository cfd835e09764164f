import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayOptionsFromEnv, startGateway, type RunningGateway } from '../../../gateway/src';
import {
  startForeignSubgraphs,
  type ForeignSubgraphs,
} from '../../fixtures/foreign-supergraph/subgraphs';
import {
  startPlainGateway,
  type PlainGateway,
} from '../../fixtures/foreign-supergraph/plainGateway';
import { postGraphQL } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';

// Every row has three entries: jest reads a test function with more parameters than its row as `done`-style.
const OPERATIONS: [string, string, Record<string, unknown>][] = [
  [
    'entities across three subgraphs',
    '{ me { id name username reviews { body product { upc name inStock } } } }',
    {},
  ],
  [
    'interfaces with type conditions and @requires',
    '{ topProducts(first: 4) { __typename upc name price ... on Book { pages inStock reviews { body } } ... on Furniture { weight shippingEstimate inStock } } }',
    {},
  ],
  [
    'unions',
    'query ($text: String!) { search(text: $text) { __typename ... on Book { name reviews { author { username name } } } ... on Furniture { name shippingEstimate } } }',
    { text: 't' },
  ],
  ['@provides', '{ users { id reviews { author { id username } } } }', {}],
  ['an error from a subgraph', 'mutation { renameUser(id: "404", name: "x") { id } }', {}],
  ['a mutation', 'mutation { renameUser(id: "2", name: "A. M. Turing") { id name username } }', {}],
  [
    'a mutation returning cross-subgraph fields',
    'mutation { addReview(upc: "b1", authorId: "2", body: "Classic") { body author { username name } product { upc name price inStock } } }',
    {},
  ],
  ['a validation error', '{ me { nope } }', {}],
];

describe('gateway over a foreign supergraph', () => {
  let subgraphs: ForeignSubgraphs;
  let ours: RunningGateway;
  let plain: PlainGateway;

  beforeAll(async () => {
    subgraphs = await startForeignSubgraphs();
    const path = join(mkdtempSync(join(tmpdir(), 'gw-foreign-')), 'supergraph.graphql');
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
  });

  afterAll(async () => {
    await ours?.stop();
    await plain?.stop();
    await subgraphs?.stop();
  });

  it('should serve the Apollo Sandbox landing page from / in development', async () => {
    const response = await fetch(ours.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('embeddable-sandbox');
  });

  it.each(OPERATIONS)(
    'should answer %s like a plain @apollo/gateway',
    async (_name, query, variables) => {
      const fromOurs = await postGraphQL(ours.graphqlUrl, query, variables);
      const fromPlain = await postGraphQL(plain.url, query, variables);
      expect(fromOurs.data ?? fromOurs.errors?.map((e) => e.message)).toBeTruthy();
      expect(fromOurs).toEqual(fromPlain);
    },
  );
});
