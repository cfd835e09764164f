import { Kafka, logLevel } from 'kafkajs';
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
 * Deletes the topics of one test stack: the broker keeps every topic (and a file handle per
 * partition) until deleted, and a long-lived broker shared by many runs fails once it has
 * accumulated enough of them ("Too many open files").
 */
async function deleteStackTopics(brokers: string[], prefix: string): Promise<void> {
  const kafka = new Kafka({
    clientId: 'test-stack-cleanup',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts every role in-process on free ports against the services named by the environment;
 * `stop()` stops them, drops the stack's databases (unless `MONGODB_DB_PREFIX` was given) and
 * deletes its topics (unless `KAFKA_TOPIC_PREFIX` was given).
 */
export async function startTestStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const env = testEnv(overrides);
  const stack = await startStack(stackOptionsFromEnv(env));
  const ownDatabases = overrides.MONGODB_DB_PREFIX === undefined;
  const ownTopics = overrides.KAFKA_TOPIC_PREFIX === undefined;
  return {
    ...stack,
    query: (query, variables) => postGraphQL(stack.gatewayUrl, query, variables),
    async stop() {
      await stack.stop();
      if (ownDatabases && env.MONGODB_DB_PREFIX) {
        const uri = env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/';
        await dropStackDatabases(uri, env.MONGODB_DB_PREFIX).catch(() => undefined);
      }
      if (ownTopics && env.KAFKA_TOPIC_PREFIX) {
        const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
        await deleteStackTopics(brokers, env.KAFKA_TOPIC_PREFIX).catch(() => undefined);
      }
    },
  };
}
