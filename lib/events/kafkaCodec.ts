import type { IHeaders, Message } from 'kafkajs';
import { CORRELATION_ID_HEADER, TRACEPARENT_HEADER } from '../telemetry';
import type { CloudEvent } from './envelope';
import { EventError } from './errors';

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';

/**
 * Encodes an event as a structured-mode CloudEvents Kafka record keyed by its subject. Its
 * `traceparent` and correlation id are repeated as plain headers (`traceparent`, `correlation-id`)
 * for tools that do not read CloudEvents; the publisher replaces `traceparent` with its producer span's.
 */
export function encodeEvent(event: CloudEvent): Message {
  return {
    key: event.subject,
    value: JSON.stringify(event),
    headers: {
      'content-type': STRUCTURED_CONTENT_TYPE,
      ...(event.traceparent && { [TRACEPARENT_HEADER]: event.traceparent }),
      ...(event.correlationid && { [CORRELATION_ID_HEADER]: event.correlationid }),
    },
  };
}

/** Raised for a record that is not a CloudEvent in either Kafka mode; never retriable. */
export class EventDecodeError extends EventError {
  override readonly name = 'EventDecodeError';
  constructor(message: string) {
    super('DECODE_FAILED', message, false);
  }
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Decodes a Kafka record in structured mode (whole event in the value) or binary mode
 * (`ce_*` headers, data in the value), as other producers may use either. The result is
 * not yet validated against its contract.
 */
export function decodeEvent(record: {
  value: Buffer | null;
  headers?: IHeaders;
}): Record<string, unknown> {
  if (!record.value) throw new EventDecodeError('record has no value');
  const text = record.value.toString('utf8');
  const parseJson = (what: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new EventDecodeError(`${what} is not valid JSON`);
    }
  };
  const specversion = headerText(record.headers, 'ce_specversion');
  if (specversion === undefined) {
    const event = parseJson('structured event');
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new EventDecodeError('structured event is not a JSON object');
    }
    return event as Record<string, unknown>;
  }
  const attributes: Record<string, unknown> = {};
  for (const name of Object.keys(record.headers ?? {})) {
    if (name.startsWith('ce_')) attributes[name.slice(3)] = headerText(record.headers, name);
  }
  const contentType = headerText(record.headers, 'content-type') ?? 'application/json';
  attributes.datacontenttype = contentType;
  attributes.data = contentType.includes('json') ? parseJson('binary event data') : text;
  if (typeof attributes.sequence === 'string' && /^\d+$/.test(attributes.sequence)) {
    attributes.sequence = Number(attributes.sequence);
  }
  return attributes;
}
