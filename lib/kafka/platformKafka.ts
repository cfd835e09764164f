import type { Kafka } from 'kafkajs';
import type { PlatformOptions } from '../config';
import { createKafkaTransport, type EventTransport } from '../events';
import type { Logger } from '../logging';
import { createKafka } from './createKafka';
import { ensureTopics, topicNames, type TopicNames } from './topics';

/** A role's Kafka client with the platform's topic names and a memoised topic set-up. */
export interface PlatformKafka {
  kafka: Kafka;
  topics: TopicNames;
  /** Creates missing topics once per process; safe to call from every role. */
  ensureTopics(): Promise<void>;
  /** The role's event transport (created on first use): topics ensured before each join. */
  readonly transport: EventTransport;
  /** A consumer group name of this stack: `<topic prefix><name>` (two stacks share nothing). */
  group(name: string): string;
}

/** Creates the Kafka client of a role from the platform options. */
export function createPlatformKafka(
  options: PlatformOptions['kafka'],
  logger: Logger,
  role: string,
): PlatformKafka {
  const kafka = createKafka({
    brokers: options.brokers,
    clientId: `${options.clientId}-${role}`,
    logger,
  });
  const topics = topicNames(options.topicPrefix);
  let ensured: Promise<void> | undefined;
  let transport: EventTransport | undefined;
  const platform: PlatformKafka = {
    kafka,
    topics,
    group: (name) => `${options.topicPrefix}${name}`,
    get transport() {
      transport ??= createKafkaTransport({
        kafka,
        logger,
        prepare: () => platform.ensureTopics(),
        groupPrefix: options.topicPrefix,
      });
      return transport;
    },
    ensureTopics() {
      ensured ??= ensureTopics({
        kafka,
        names: topics,
        partitions: options.partitions,
        replicationFactor: options.replicationFactor,
        logger,
      }).catch((error: unknown) => {
        ensured = undefined;
        throw error;
      });
      return ensured;
    },
  };
  return platform;
}
