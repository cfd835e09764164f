import { ApolloServer } from '@apollo/server';
import { createLogger } from '../../../lib/logging';
import { createErrorMasking } from '../../../gateway/src/plugins/useErrorMasking';
import { useUnexpectedErrors } from '../../../gateway/src/plugins/useUnexpectedErrors';
import type { GatewayContext } from '../../../gateway/src/context';
import { graphqlError } from '../../../lib/graphql';

/** A server whose `boom` throws an unexpected error and `missing` a typed one. */
async function serverLogging(lines: Record<string, unknown>[]) {
  const logger = createLogger({ name: 'test', level: 'error' });
  const error = (fields: Record<string, unknown>) => void lines.push(fields);
  const server = new ApolloServer<GatewayContext>({
    typeDefs: 'type Query { boom: String missing: String }',
    resolvers: {
      Query: {
        boom: () => {
          throw new Error('connection string mongodb://admin:secret@db');
        },
        missing: () => {
          throw graphqlError('NOT_FOUND', 'no such thing');
        },
      },
    },
    formatError: createErrorMasking(true),
    plugins: [useUnexpectedErrors({ ...logger, error } as never, { masked: true })],
  });
  await server.start();
  return server;
}

describe('useUnexpectedErrors', () => {
  it('should mask an unexpected error, log it once and give the client its correlation id', async () => {
    const lines: Record<string, unknown>[] = [];
    const server = await serverLogging(lines);
    const response = await server.executeOperation(
      { query: '{ boom missing }' },
      { contextValue: { correlationId: 'corr-1' } },
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    const byCode = Object.fromEntries((result?.errors ?? []).map((e) => [e.extensions?.code, e]));
    expect(byCode.INTERNAL_SERVER_ERROR?.message).toBe('Internal server error');
    expect(byCode.INTERNAL_SERVER_ERROR?.extensions?.correlationId).toBe('corr-1');
    expect(byCode.NOT_FOUND?.message).toBe('no such thing');
    expect(byCode.NOT_FOUND?.extensions?.correlationId).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ correlationId: 'corr-1' });
    await server.stop();
  });
});
