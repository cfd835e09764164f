import { Partitioners, type Kafka } from 'kafkajs';
import { parseDeadLetter, toRedrive, type DeadLetterEntry } from '../framework';
import { readTopic } from './readTopic';

/** Which dead letters an operation applies to; omitted fields match everything. */
export interface DeadLetterFilter {
  type?: string;
  key?: string;
}

const matches = (entry: DeadLetterEntry, filter: DeadLetterFilter) =>
  (filter.type === undefined || entry.eventType === filter.type) &&
  (filter.key === undefined || entry.key === filter.key);

/** Lists the records of a dead-letter topic with their reasons, oldest first per partition. */
export async function listDeadLetters(
  kafka: Kafka,
  deadLetterTopic: string,
  filter: DeadLetterFilter = {},
): Promise<DeadLetterEntry[]> {
  const records = await readTopic({ kafka, topic: deadLetterTopic });
  return records
    .map(({ partition, message }) => parseDeadLetter(partition, message))
    .filter((entry) => matches(entry, filter));
}

/** Result of {@link redriveDeadLetters}. */
export interface RedriveResult {
  /** Records sent back, by origin topic. */
  redriven: number;
  topics: string[];
}

/**
 * Sends matching dead letters back to their origin topic with their original key, value and
 * headers, in dead-letter order (per key that is the original order). The DLQ keeps them (Kafka
 * cannot delete single records); consumers' dedup makes a second redrive harmless.
 */
export async function redriveDeadLetters(
  kafka: Kafka,
  deadLetterTopic: string,
  filter: DeadLetterFilter = {},
): Promise<RedriveResult> {
  const records = await readTopic({ kafka, topic: deadLetterTopic });
  const byTopic = new Map<string, ReturnType<typeof toRedrive>[]>();
  for (const { partition, message } of records) {
    const entry = parseDeadLetter(partition, message);
    if (!entry.originalTopic || !matches(entry, filter)) continue;
    const list = byTopic.get(entry.originalTopic) ?? [];
    list.push(toRedrive(message));
    byTopic.set(entry.originalTopic, list);
  }
  if (byTopic.size === 0) return { redriven: 0, topics: [] };
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    let redriven = 0;
    for (const [topic, messages] of byTopic) {
      await producer.send({ topic, acks: -1, messages });
      redriven += messages.length;
    }
    return { redriven, topics: [...byTopic.keys()] };
  } finally {
    await producer.disconnect();
  }
}
