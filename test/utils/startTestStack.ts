import mongoose from 'mongoose';
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

const ROLE_DATABASES = ['registry', 'intelligence', 'workflow', 'operations'];

/** Drops the databases of one test stack: the embedded server keeps every database in memory. */
async function dropStackDatabases(uri: string, prefix: string): Promise<void> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    await Promise.all(ROLE_DATABASES.map((role) => client.db(`${prefix}${role}`).dropDatabase()));
  } finally {
    await client.close();
  }
}

/**
 * Starts every role in-process on free ports against the services named by the environment;
 * `stop()` stops them and drops the stack's databases (unless `MONGODB_DB_PREFIX` was given).
 */
export async function startTestStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const env = testEnv(overrides);
  const stack = await startStack(stackOptionsFromEnv(env));
  const ownDatabases = overrides.MONGODB_DB_PREFIX === undefined;
  return {
    ...stack,
    query: (query, variables) => postGraphQL(stack.gatewayUrl, query, variables),
    async stop() {
      await stack.stop();
      if (ownDatabases && env.MONGODB_DB_PREFIX) {
        const uri = env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/';
        await dropStackDatabases(uri, env.MONGODB_DB_PREFIX).catch(() => undefined);
      }
    },
  };
}
