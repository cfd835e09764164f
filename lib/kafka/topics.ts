import type { Kafka } from 'kafkajs';
import type { Logger } from '../logging';
import { createTopicsAndWait } from './createTopicsAndWait';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The event topics of the platform, one per domain, each with a dead-letter topic. */
export const DOMAIN_TOPICS = ['registry', 'intelligence', 'workflow', 'pipeline'] as const;
export type DomainTopic = (typeof DOMAIN_TOPICS)[number];

/** Resolves the physical topic names for a prefix (tests use random prefixes). */
export function topicNames(prefix: string) {
  const events = (domain: DomainTopic) => `${prefix}${domain}.events`;
  return {
    events,
    deadLetter: (domain: DomainTopic) => `${events(domain)}.dlq`,
  };
}

export type TopicNames = ReturnType<typeof topicNames>;

/** Options of {@link ensureTopics}. */
export interface EnsureTopicsOptions {
  kafka: Kafka;
  names: TopicNames;
  partitions: number;
  replicationFactor: number;
  logger: Logger;
  /** @default 30 days */
  eventRetentionMs?: number;
  /** @default 7 days */
  deadLetterRetentionMs?: number;
}

/** Creates the domain and dead-letter topics that do not exist yet (the broker's auto-create is off). */
export async function ensureTopics({
  kafka,
  names,
  partitions,
  replicationFactor,
  logger,
  eventRetentionMs = 30 * DAY_MS,
  deadLetterRetentionMs = 7 * DAY_MS,
}: EnsureTopicsOptions): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = DOMAIN_TOPICS.flatMap((domain) => [
      { topic: names.events(domain), retentionMs: eventRetentionMs },
      { topic: names.deadLetter(domain), retentionMs: deadLetterRetentionMs },
    ]).filter(({ topic }) => !existing.has(topic));
    if (wanted.length === 0) return;
    await createTopicsAndWait(
      admin,
      wanted.map(({ topic, retentionMs }) => ({
        topic,
        numPartitions: partitions,
        replicationFactor,
        configEntries: [{ name: 'retention.ms', value: String(retentionMs) }],
      })),
    );
    logger.info({ topics: wanted.map((t) => t.topic), partitions }, 'kafka topics created');
  } finally {
    await admin.disconnect();
  }
}
