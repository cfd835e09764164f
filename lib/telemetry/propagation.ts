import {
  context as contextApi,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  trace,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ensureContextManager } from './contextManager';

/** Header (and CloudEvents extension) carrying the W3C trace context. */
export const TRACEPARENT_HEADER = 'traceparent';
/** Kafka record header carrying the platform's correlation id. */
export const CORRELATION_ID_HEADER = 'correlation-id';

// Used directly rather than through the global propagator: propagation must work whether or not
// a process set up telemetry (pass-through when tracing is off), and tests stay deterministic.
const propagator = new W3CTraceContextPropagator();

/** Header bags as Node's http, fetch Headers-as-object and kafkajs give them. */
export type HeaderCarrier = Record<
  string,
  string | string[] | Buffer | (string | Buffer)[] | undefined
>;

const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** Returns `parent` (default: the active context) with the trace context found in `headers`, if any. */
export function extractContext(headers: HeaderCarrier | undefined, parent?: Context): Context {
  const base = parent ?? contextApi.active();
  return headers ? propagator.extract(base, headers, headerGetter) : base;
}

/** Context whose remote parent is `traceparent` (a W3C header value); `parent` when absent or malformed. */
export function contextFromTraceparent(
  traceparent: string | undefined,
  parent: Context = ROOT_CONTEXT,
): Context {
  if (!traceparent) return parent;
  return propagator.extract(parent, { traceparent }, defaultTextMapGetter);
}

/** True when `ctx` holds a valid span context (a trace to continue). */
export function hasTraceContext(ctx: Context): boolean {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext);
}

/** Writes `traceparent` (and `tracestate`) of `ctx` into `headers`; writes nothing without a valid span context. */
export function injectContext(
  headers: Record<string, string>,
  ctx: Context = contextApi.active(),
): Record<string, string> {
  propagator.inject(ctx, headers, defaultTextMapSetter);
  return headers;
}

/**
 * The `traceparent` of the active span (or of `ctx`), e.g. for an event's envelope; undefined
 * outside any trace. With tracing off this is the traceparent received, so it still propagates.
 */
export function currentTraceparent(ctx: Context = contextApi.active()): string | undefined {
  return injectContext({}, ctx)[TRACEPARENT_HEADER];
}

/** The 32-hex trace id of a `traceparent` value, or undefined when it is malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  if (!traceparent) return undefined;
  const spanContext = trace.getSpanContext(contextFromTraceparent(traceparent));
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

const CORRELATION_ID_KEY = createContextKey('platform.correlation-id');

/** Returns `ctx` carrying the correlation id, so log lines written inside it include it. */
export function withCorrelationId(ctx: Context, correlationId: string | undefined): Context {
  return correlationId ? ctx.setValue(CORRELATION_ID_KEY, correlationId) : ctx;
}

/** The correlation id of the active context (see {@link withCorrelationId}). */
export function activeCorrelationId(ctx: Context = contextApi.active()): string | undefined {
  const value = ctx.getValue(CORRELATION_ID_KEY);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Runs `fn` inside `ctx`. Installs the async-hooks context manager on first use so the context
 * follows promises and callbacks even in a process that never started telemetry (tests, tools).
 */
export function runInContext<T>(ctx: Context, fn: () => T): T {
  ensureContextManager();
  return contextApi.with(ctx, fn);
}

/** The active context (for starting a child span explicitly). */
export function activeContext(): Context {
  return contextApi.active();
}
