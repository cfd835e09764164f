import mongoose from 'mongoose';
import type { Admin, Kafka } from 'kafkajs';
import { createKafka, createTopicsAndWait, topicNames } from '../../lib/kafka';
import { createLogger } from '../../lib/logging';

/** The bench's own clients beside the stack: bare driver, mongoose (for the registry model), Kafka. */
export interface BenchResources {
  /** Prefix of every database (`<prefix>_…`), topic (`<prefix>.…`) and group (`<prefix>-…`). */
  prefix: string;
  /** The bare MongoDB driver (what the floors use). */
  client: mongoose.mongo.MongoClient;
  db(role: string): mongoose.mongo.Db;
  /** Mongoose connections, for the platform's models (bulk seeding) and the workflow collections. */
  registry: mongoose.Connection;
  intelligence: mongoose.Connection;
  workflow: mongoose.Connection;
  kafka: Kafka;
  admin: Admin;
  topics: ReturnType<typeof topicNames>;
  /** Creates a scratch topic (dropped by cleanup) with the platform's partition count. */
  createTopic(name: string, partitions: number): Promise<string>;
  /** Drops every `<prefix>_*` database, `<prefix>.*` topic and `<prefix>…` group; closes clients. */
  cleanup(): Promise<void>;
}

/** Where the services are (the stack reads the same environment). */
export interface ServiceAddresses {
  mongodbUri: string;
  kafkaBrokers: string[];
}

/** Opens the bench's clients for a stack started with `bench<suffix>` names (bench/benchStack.ts). */
export async function openResources(
  suffix: string,
  { mongodbUri: uri, kafkaBrokers }: ServiceAddresses,
): Promise<BenchResources> {
  const prefix = `bench${suffix}`;
  const client = new mongoose.mongo.MongoClient(uri);
  await client.connect();
  const open = (role: string) =>
    mongoose
      .createConnection(uri, { dbName: `${prefix}_${role}`, autoIndex: false, autoCreate: false })
      .asPromise();
  const [registry, intelligence, workflow] = await Promise.all(
    ['registry', 'intelligence', 'workflow'].map(open),
  );
  const kafka = createKafka({
    brokers: kafkaBrokers,
    clientId: `${prefix}-bench`,
    logger: createLogger({ name: 'bench', level: 'error' }),
  });
  const admin = kafka.admin();
  await admin.connect();
  return {
    prefix,
    client,
    db: (role) => client.db(`${prefix}_${role}`),
    registry: registry!,
    intelligence: intelligence!,
    workflow: workflow!,
    kafka,
    admin,
    topics: topicNames(`${prefix}.`),
    async createTopic(name, partitions) {
      const topic = `${prefix}.${name}`;
      await createTopicsAndWait(admin, [{ topic, numPartitions: partitions }]);
      return topic;
    },
    async cleanup() {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
      if (topics.length > 0) await admin.deleteTopics({ topics }).catch(warn('delete topics'));
      const { groups } = await admin.listGroups();
      const mine = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
      if (mine.length > 0) await admin.deleteGroups(mine).catch(warn('delete groups'));
      await admin.disconnect();
      const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
      for (const { name } of databases) {
        if (name.startsWith(`${prefix}_`)) await client.db(name).dropDatabase();
      }
      await Promise.all([registry!.close(), intelligence!.close(), workflow!.close()]);
      await client.close();
    },
  };
}

const warn = (what: string) => (error: unknown) =>
  console.warn(`cleanup: could not ${what}: ${String(error)}`);
