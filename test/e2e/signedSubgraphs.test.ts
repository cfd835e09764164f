import { startTestStack, type TestStack } from '../utils/startTestStack';

const SECRET = 'a-shared-gateway-signing-secret';

describe('a production stack with gateway-signed subgraph requests', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // Every role reads the same GATEWAY_SIGNING_SECRET: the gateway signs, the subgraphs verify.
    stack = await startTestStack({ NODE_ENV: 'production', GATEWAY_SIGNING_SECRET: SECRET });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('should serve a mutation and a cross-subgraph query through the gateway', async () => {
    const registered = await stack.query<{ registerComponent: { component: { id: string } } }>(
      `mutation { registerComponent(input: { name: "SignedCard", type: ATOM, version: "1.0.0" }) { component { id } } }`,
    );
    expect(registered.errors).toBeUndefined();
    const id = registered.data!.registerComponent.component.id;
    const read = await stack.query<{ component: { name: string } }>(
      `query C($id: ID!) { component(id: $id) { name } }`,
      { id },
    );
    expect(read.data?.component.name).toBe('SignedCard');
  });

  it.each(['registry', 'intelligence', 'workflow', 'operations'])(
    'should refuse an unsigned request sent straight to the %s subgraph',
    async (name) => {
      const response = await fetch(stack.subgraphUrls[name]!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    },
  );
});
