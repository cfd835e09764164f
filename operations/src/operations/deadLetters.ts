import type { KafkaMessage } from 'kafkajs';
import {
  DLT_HEADERS,
  headerText,
  parseDeadLetter,
  toRedrive,
  type DeadLetterEntry,
  type EventTransport,
} from '../../../lib/events';

/** The original event's type and id as found in a dead letter's own record. */
function originalEvent(message: KafkaMessage): { type?: string; id?: string } {
  const text = (name: string) => headerText(message.headers, name) || undefined;
  const type = text(DLT_HEADERS.eventType) ?? text('ce_type');
  const id = text(DLT_HEADERS.eventId) ?? text('ce_id');
  if ((type && id) || !message.value) return { type, id };
  // Structured mode: the whole event is the value (a record that does not parse has neither).
  try {
    const body = JSON.parse(message.value.toString('utf8')) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { type, id };
    const field = (name: 'type' | 'id') => {
      const value = (body as Record<string, unknown>)[name];
      return typeof value === 'string' && value ? value : undefined;
    };
    return { type: type ?? field('type'), id: id ?? field('id') };
  } catch {
    return { type, id };
  }
}

/**
 * Parses a dead-letter record: its `dlt-*` headers, and the original event's type and id from
 * `dlt-event-type`/`dlt-event-id`, else (dead letters written before those were set whenever the
 * record decoded) from the record itself: binary-mode `ce_type`/`ce_id` headers or the
 * structured-mode JSON value.
 */
export function parseDeadLetterRecord(partition: number, message: KafkaMessage): DeadLetterEntry {
  const entry = parseDeadLetter(partition, message);
  const { type, id } = originalEvent(message);
  return { ...entry, eventType: type, eventId: id };
}

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
  transport: EventTransport,
  deadLetterTopic: string,
  filter: DeadLetterFilter = {},
): Promise<DeadLetterEntry[]> {
  const records = await transport.read(deadLetterTopic);
  return records
    .map(({ partition, message }) => parseDeadLetterRecord(partition, message))
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
  transport: EventTransport,
  deadLetterTopic: string,
  filter: DeadLetterFilter = {},
): Promise<RedriveResult> {
  const records = await transport.read(deadLetterTopic);
  const byTopic = new Map<string, ReturnType<typeof toRedrive>[]>();
  for (const { partition, message } of records) {
    const entry = parseDeadLetterRecord(partition, message);
    if (!entry.originalTopic || !matches(entry, filter)) continue;
    const list = byTopic.get(entry.originalTopic) ?? [];
    list.push(toRedrive(message));
    byTopic.set(entry.originalTopic, list);
  }
  if (byTopic.size === 0) return { redriven: 0, topics: [] };
  let redriven = 0;
  for (const [topic, messages] of byTopic) {
    await transport.publishRecords(topic, messages);
    redriven += messages.length;
  }
  return { redriven, topics: [...byTopic.keys()] };
}
