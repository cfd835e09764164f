import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/**
 * Headers added to a dead-lettered record (Spring Kafka's `kafka_dlt-*` names without the
 * `kafka_` prefix). The original key, value and headers are carried unchanged.
 */
export const DLT_HEADERS = {
  originalTopic: 'dlt-original-topic',
  originalPartition: 'dlt-original-partition',
  originalOffset: 'dlt-original-offset',
  originalTimestamp: 'dlt-original-timestamp',
  originalConsumerGroup: 'dlt-original-consumer-group',
  attempts: 'dlt-attempts',
  exceptionClass: 'dlt-exception-fqcn',
  exceptionCode: 'dlt-exception-code',
  exceptionMessage: 'dlt-exception-message',
  failedAt: 'dlt-failed-at',
  eventType: 'dlt-event-type',
  eventId: 'dlt-event-id',
} as const;

/** Why and where a record failed. */
export interface DeadLetterReason {
  topic: string;
  partition: number;
  groupId: string;
  attempts: number;
  error: unknown;
  /** Event type and id when the record could be decoded. */
  eventType?: string;
  eventId?: string;
}

/** Error details under a closed code: an EventError's code, else HANDLER_FAILED. */
export function describeError(error: unknown): { name: string; code: string; message: string } {
  const err = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  return {
    name: typeof err?.name === 'string' ? err.name : 'Error',
    code: typeof err?.code === 'string' ? err.code : 'HANDLER_FAILED',
    message: (typeof err?.message === 'string' ? err.message : String(error)).slice(0, 2000),
  };
}

/** Builds the dead-letter record of `message`: same key, value and headers, plus `dlt-*` headers. */
export function toDeadLetter(message: KafkaMessage, reason: DeadLetterReason): Message {
  const { name, code, message: text } = describeError(reason.error);
  const headers: IHeaders = { ...message.headers };
  const add: Record<string, string | undefined> = {
    [DLT_HEADERS.originalTopic]: reason.topic,
    [DLT_HEADERS.originalPartition]: String(reason.partition),
    [DLT_HEADERS.originalOffset]: message.offset,
    [DLT_HEADERS.originalTimestamp]: message.timestamp,
    [DLT_HEADERS.originalConsumerGroup]: reason.groupId,
    [DLT_HEADERS.attempts]: String(reason.attempts),
    [DLT_HEADERS.exceptionClass]: name,
    [DLT_HEADERS.exceptionCode]: code,
    [DLT_HEADERS.exceptionMessage]: text,
    [DLT_HEADERS.failedAt]: new Date().toISOString(),
    [DLT_HEADERS.eventType]: reason.eventType,
    [DLT_HEADERS.eventId]: reason.eventId,
  };
  for (const [header, value] of Object.entries(add)) {
    if (value !== undefined) headers[header] = value;
  }
  return { key: message.key, value: message.value, headers };
}

/** A dead-lettered record as listed by the tools. */
export interface DeadLetterEntry {
  partition: number;
  offset: string;
  key: string | null;
  originalTopic?: string;
  originalPartition?: number;
  originalOffset?: string;
  originalTimestamp?: string;
  consumerGroup?: string;
  attempts?: number;
  errorClass?: string;
  errorCode?: string;
  errorMessage?: string;
  failedAt?: string;
  eventType?: string;
  eventId?: string;
}

/** Reads one header as text. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** Parses the `dlt-*` headers of a dead-letter record. */
export function parseDeadLetter(partition: number, message: KafkaMessage): DeadLetterEntry {
  const h = (name: string) => headerText(message.headers, name);
  const number = (name: string) => (h(name) === undefined ? undefined : Number(h(name)));
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    originalTopic: h(DLT_HEADERS.originalTopic),
    originalPartition: number(DLT_HEADERS.originalPartition),
    originalOffset: h(DLT_HEADERS.originalOffset),
    originalTimestamp: h(DLT_HEADERS.originalTimestamp),
    consumerGroup: h(DLT_HEADERS.originalConsumerGroup),
    attempts: number(DLT_HEADERS.attempts),
    errorClass: h(DLT_HEADERS.exceptionClass),
    errorCode: h(DLT_HEADERS.exceptionCode),
    errorMessage: h(DLT_HEADERS.exceptionMessage),
    failedAt: h(DLT_HEADERS.failedAt),
    eventType: h(DLT_HEADERS.eventType) ?? h('ce_type'),
    eventId: h(DLT_HEADERS.eventId) ?? h('ce_id'),
  };
}

/** The original record of a dead letter, `dlt-*` headers removed, for redrive. */
export function toRedrive(message: KafkaMessage): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!name.startsWith('dlt-') && value !== undefined) headers[name] = value;
  }
  return { key: message.key, value: message.value, headers };
}
