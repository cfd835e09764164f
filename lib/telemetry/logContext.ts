import { context as contextApi, trace } from '@opentelemetry/api';
import { activeCorrelationId } from './propagation';

/** Fields a log line gets from the active context. */
export interface LogTraceFields {
  /** Names as OpenTelemetry's log data model (and its pino instrumentation) spells them. */
  trace_id?: string;
  span_id?: string;
  correlationId?: string;
}

/**
 * Trace id, span id and correlation id of the active context, for a pino `mixin`: every line
 * logged while handling a request or an event names its trace and correlation id. Empty outside.
 */
export function logTraceFields(): LogTraceFields {
  const ctx = contextApi.active();
  const fields: LogTraceFields = {};
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext && trace.isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
  }
  const correlationId = activeCorrelationId(ctx);
  if (correlationId) fields.correlationId = correlationId;
  return fields;
}
