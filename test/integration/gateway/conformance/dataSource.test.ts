import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemoteGraphQLDataSource, type GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { SubgraphDataSource } from '../../../../gateway/src/createDataSource';

/** What a subgraph answers: status, content type and body. */
interface Answer {
  status: number;
  contentType: string;
  body: string;
}

const ANSWERS: [string, Answer][] = [
  ['a 500 with a JSON body', { status: 500, contentType: 'application/json', body: '{"x":1}' }],
  ['a 401', { status: 401, contentType: 'application/json', body: '{"errors":[]}' }],
  ['a 403 with a text body', { status: 403, contentType: 'text/plain', body: 'forbidden' }],
  ['a 200 that is not a JSON object', { status: 200, contentType: 'text/plain', body: 'hello' }],
  [
    'a 200 with data and errors',
    {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: '{"data":{"a":1},"errors":[{"message":"m","path":["a"]}]}',
    },
  ],
];

/** Resolves with the response, or with the thrown error as a plain object to compare. */
async function outcome(source: GraphQLDataSource) {
  try {
    const { http: _http, ...response } = await source.process({
      kind: GraphQLDataSourceRequestKind.HEALTH_CHECK,
      request: { query: '{ __typename }' },
      context: {},
    });
    return { response };
  } catch (error) {
    const { message, extensions } = error as { message: string; extensions?: unknown };
    return { thrown: { message, extensions } };
  }
}

describe('SubgraphDataSource', () => {
  let server: Server;
  let url: string;
  let answer: Answer;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(ANSWERS)(
    'should answer %s as Apollo’s RemoteGraphQLDataSource does',
    async (_name, given) => {
      answer = given;
      const ours = new SubgraphDataSource({ name: 'test', url });
      try {
        const expected = await outcome(new RemoteGraphQLDataSource({ url }));
        expect(await outcome(ours)).toEqual(expected);
      } finally {
        await ours.close();
      }
    },
  );

  it('should fail a request, not the gateway, for a subgraph without a URL', async () => {
    const source = new SubgraphDataSource({ name: 'nowhere', url: '' });
    expect((await outcome(source)).thrown?.message).toBe(
      'expected a URL for subgraph nowhere, but got: ""',
    );
  });
});
