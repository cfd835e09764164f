import { startStack, stackOptionsFromEnv, type RunningStack } from '../../stack/src';
import { postGraphQL, type GraphQLResponse } from './graphqlClient';
import { testEnv } from './servicesEnv';

/** A whole stack on real Kafka and MongoDB, isolated by random names, with a GraphQL client. */
export interface TestStack extends RunningStack {
  query<D = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<D>>;
}

/** Starts every role in-process on free ports against the services named by the environment. */
export async function startTestStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const stack = await startStack(stackOptionsFromEnv(testEnv(overrides)));
  return { ...stack, query: (query, variables) => postGraphQL(stack.gatewayUrl, query, variables) };
}
