import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_CORRELATION_ID,
  ATTR_EVENT_SUBJECT,
  ATTR_EVENT_TYPE,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from './attributes';
import {
  contextFromTraceparent,
  CORRELATION_ID_HEADER,
  extractContext,
  hasTraceContext,
  injectContext,
  withCorrelationId,
  type HeaderCarrier,
} from './propagation';
import { platformTracer, withSpan } from './spans';
import { isTracing } from './startTelemetry';

/** What tracing needs to know of an event (a CloudEvent satisfies it). */
export interface TracedEvent {
  id: string;
  type: string;
  subject: string;
  correlationid?: string;
  traceparent?: string;
}

/** A started producer span and the Kafka headers that carry it to consumers. */
export interface ProducerSpan {
  /** `traceparent` of this span (when there is a trace) and `correlation-id` of the event. */
  headers: Record<string, string>;
  /** Ends the span, failed when `error` is given. */
  end(error?: unknown): void;
}

/**
 * Starts a `<topic> publish` PRODUCER span as a child of the event's own `traceparent` (the
 * context the event was created in, e.g. the mutation), so a relay running later in another
 * async context still continues the request's trace.
 */
export function startProducerSpan(topic: string, event: TracedEvent): ProducerSpan {
  const parent = contextFromTraceparent(event.traceparent, ROOT_CONTEXT);
  const span = platformTracer('events').startSpan(
    `${topic} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: 'kafka',
        [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
        [ATTR_MESSAGING_DESTINATION_NAME]: topic,
        [ATTR_MESSAGING_MESSAGE_ID]: event.id,
        [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: event.subject,
        [ATTR_EVENT_TYPE]: event.type,
        ...(event.correlationid && { [ATTR_CORRELATION_ID]: event.correlationid }),
      },
    },
    parent,
  );
  const headers = injectContext({}, trace.setSpan(parent, span));
  if (event.correlationid) headers[CORRELATION_ID_HEADER] = event.correlationid;
  return {
    headers,
    end(error) {
      if (error !== undefined) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      span.end();
    },
  };
}

/** Where a consumed record came from. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  key?: Buffer | string | null;
  headers?: HeaderCarrier;
}

/** The span handed to consumers when tracing is off and the record carries no context. */
const NOT_RECORDED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Runs `fn` inside a `<topic> process` CONSUMER span. Its parent is the producer's context from
 * the record's `traceparent` header, else the event's envelope `traceparent` (records written by
 * tools that only fill the CloudEvents extension); when they belong to different traces, the
 * envelope's (creation) context is added as a link. The event's correlation id is set for log lines.
 */
export function withConsumerSpan<T>(
  record: ConsumedRecord,
  event: TracedEvent,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const recording = isTracing();
  // Nothing to record and nothing to carry into the handler: no context switch per record.
  if (
    !recording &&
    !event.correlationid &&
    !event.traceparent &&
    !(record.headers && 'traceparent' in record.headers)
  ) {
    return fn(NOT_RECORDED);
  }
  const fromHeaders = extractContext(record.headers, ROOT_CONTEXT);
  const fromEnvelope = contextFromTraceparent(event.traceparent, ROOT_CONTEXT);
  const headerTraced = hasTraceContext(fromHeaders);
  const parent = headerTraced ? fromHeaders : fromEnvelope;
  const links: Link[] = [];
  const creation = trace.getSpanContext(fromEnvelope);
  const producer = trace.getSpanContext(fromHeaders);
  if (
    recording &&
    headerTraced &&
    creation &&
    hasTraceContext(fromEnvelope) &&
    creation.traceId !== producer?.traceId
  ) {
    // E.g. a replayed or redriven record: published in a new trace, created in the original one.
    links.push({ context: creation });
  }
  return withSpan(
    platformTracer('events'),
    `${record.topic} process`,
    // Tracing off: the span does not record, so its attributes are not even built (per record).
    !recording
      ? { kind: SpanKind.CONSUMER }
      : {
          kind: SpanKind.CONSUMER,
          links,
          attributes: {
            [ATTR_MESSAGING_SYSTEM]: 'kafka',
            [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
            [ATTR_MESSAGING_DESTINATION_NAME]: record.topic,
            [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(record.partition),
            [ATTR_MESSAGING_KAFKA_OFFSET]: Number(record.offset),
            [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: record.groupId,
            [ATTR_MESSAGING_MESSAGE_ID]: event.id,
            [ATTR_EVENT_TYPE]: event.type,
            [ATTR_EVENT_SUBJECT]: event.subject,
            ...(record.key != null && {
              [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: record.key.toString(),
            }),
            ...(event.correlationid && { [ATTR_CORRELATION_ID]: event.correlationid }),
          },
        },
    withCorrelationId(parent, event.correlationid),
    fn,
  );
}
