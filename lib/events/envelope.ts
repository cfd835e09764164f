import { randomUUID } from 'node:crypto';
import { currentTraceparent } from '../telemetry';

/** A CloudEvents 1.0 event as the platform emits it (structured JSON mode), with its extensions. */
export interface CloudEvent<D = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  /** The aggregate id; also the Kafka key, so one aggregate's events stay in order. */
  subject: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  correlationid?: string;
  causationid?: string;
  traceparent?: string;
  /** Per-aggregate sequence number, starting at 1. */
  sequence: number;
  data: D;
}

/** What a producer of an event decides; the envelope fills in the rest. */
export interface NewEvent<D> {
  type: string;
  source: string;
  subject: string;
  sequence: number;
  data: D;
  /** Contract version of `data`. @default 1 */
  version?: number;
  correlationId?: string;
  causationId?: string;
  /**
   * W3C trace context of the event's creation.
   * @default the active span's (e.g. the mutation's), so the trace continues through Kafka
   */
  traceparent?: string;
}

export const DATASCHEMA_BASE = 'https://platform.example/schema/events';

/** Builds a CloudEvents envelope with a fresh id, the current time and the active trace context. */
export function createEvent<D>(event: NewEvent<D>): CloudEvent<D> {
  const traceparent = event.traceparent ?? currentTraceparent();
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: event.source,
    type: event.type,
    time: new Date().toISOString(),
    subject: event.subject,
    datacontenttype: 'application/json',
    dataschema: `${DATASCHEMA_BASE}/${event.type}/v${event.version ?? 1}.json`,
    ...(event.correlationId && { correlationid: event.correlationId }),
    ...(event.causationId && { causationid: event.causationId }),
    ...(traceparent && { traceparent }),
    sequence: event.sequence,
    data: event.data,
  };
}
