import { startTestStack, type TestStack } from '../../utils/startTestStack';

jest.setTimeout(120_000);

describe('operations subgraph through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('should route deadLetters to the operations role', async () => {
    const response = await stack.query<{ deadLetters: unknown[] }>(/* GraphQL */ `
      {
        deadLetters(domain: REGISTRY) {
          key
          errorCode
        }
      }
    `);
    expect(response.errors).toBeUndefined();
    expect(response.data?.deadLetters).toEqual([]);
  });
});
