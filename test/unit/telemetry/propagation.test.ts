import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { createEvent, encodeEvent } from '../../../lib/events';
import {
  activeCorrelationId,
  contextFromTraceparent,
  currentTraceparent,
  extractContext,
  logTraceFields,
  runInContext,
  traceIdOf,
  withCorrelationId,
} from '../../../lib/telemetry';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

// No tracer provider is installed in this file: this is the "OTEL_TRACES_EXPORTER=none" mode.
describe('propagation (tracing off)', () => {
  it('should forward a received traceparent unchanged', () => {
    const ctx = extractContext({ traceparent: PARENT }, ROOT_CONTEXT);
    expect(runInContext(ctx, () => currentTraceparent())).toBe(PARENT);
  });

  it('should read the traceparent from kafkajs Buffer headers', () => {
    const ctx = extractContext({ traceparent: Buffer.from(PARENT) }, ROOT_CONTEXT);
    expect(currentTraceparent(ctx)).toBe(PARENT);
  });

  it('should keep the active context across awaits', async () => {
    const seen = await runInContext(contextFromTraceparent(PARENT), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentTraceparent();
    });
    expect(seen).toBe(PARENT);
  });

  it('should have no traceparent outside a trace or for a malformed one', () => {
    expect(currentTraceparent(ROOT_CONTEXT)).toBeUndefined();
    expect(currentTraceparent(contextFromTraceparent('00-zz-yy-01'))).toBeUndefined();
    expect(traceIdOf('not a traceparent')).toBeUndefined();
    expect(traceIdOf(PARENT)).toBe(TRACE_ID);
  });

  it('should stamp the active traceparent on created events unless one is given', () => {
    const base = { type: 't', source: '/s', subject: 'a', sequence: 1, data: {} };
    const stamped = runInContext(contextFromTraceparent(PARENT), () => createEvent(base));
    expect(stamped.traceparent).toBe(PARENT);
    const explicit = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    const given = runInContext(contextFromTraceparent(PARENT), () =>
      createEvent({ ...base, traceparent: explicit }),
    );
    expect(given.traceparent).toBe(explicit);
    expect(createEvent(base).traceparent).toBeUndefined();
  });

  it('should repeat traceparent and correlation id as plain Kafka headers', () => {
    const event = createEvent({
      type: 't',
      source: '/s',
      subject: 'a',
      sequence: 1,
      data: {},
      correlationId: 'corr-1',
      traceparent: PARENT,
    });
    expect(encodeEvent(event).headers).toEqual({
      'content-type': 'application/cloudevents+json',
      traceparent: PARENT,
      'correlation-id': 'corr-1',
    });
  });

  it('should give log lines the trace and correlation id of the active context', () => {
    const ctx = withCorrelationId(contextFromTraceparent(PARENT), 'corr-2');
    const fields = runInContext(ctx, () => logTraceFields());
    expect(fields).toEqual({
      trace_id: TRACE_ID,
      span_id: '00f067aa0ba902b7',
      correlationId: 'corr-2',
    });
    expect(runInContext(ctx, () => activeCorrelationId())).toBe('corr-2');
    expect(logTraceFields()).toEqual({});
    expect(trace.getSpanContext(ROOT_CONTEXT)).toBeUndefined();
  });
});
