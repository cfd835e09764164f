export { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
export * from './attributes';
export {
  createGraphQLTracing,
  CORRELATION_ID_HTTP_HEADER,
  type GraphQLTracing,
  type GraphQLTracingOptions,
  type TracingMiddleware,
} from './graphqlTracing';
export { logTraceFields, type LogTraceFields } from './logContext';
export {
  startProducerSpan,
  withConsumerSpan,
  type ConsumedRecord,
  type ProducerSpan,
  type TracedEvent,
} from './messaging';
export { defaultTelemetryOptions, type TelemetryOptions, type TraceExporterKind } from './options';
export {
  activeContext,
  activeCorrelationId,
  contextFromTraceparent,
  CORRELATION_ID_HEADER,
  currentTraceparent,
  extractContext,
  hasTraceContext,
  injectContext,
  runInContext,
  traceIdOf,
  TRACEPARENT_HEADER,
  withCorrelationId,
  type HeaderCarrier,
} from './propagation';
export { platformTracer, recordSpanError, TRACER_PREFIX, withSpan } from './spans';
export {
  SHUTDOWN_FLUSH_TIMEOUT_MS,
  isTracing,
  startTelemetry,
  startTraced,
  type Telemetry,
  type TelemetryExtras,
} from './startTelemetry';
