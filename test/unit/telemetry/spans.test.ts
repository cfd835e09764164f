import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEvent } from '../../../lib/events';
import {
  createGraphQLTracing,
  currentTraceparent,
  logTraceFields,
  startProducerSpan,
  startTelemetry,
  withConsumerSpan,
  type Telemetry,
} from '../../../lib/telemetry';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const OTHER = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;

beforeAll(async () => {
  telemetry = await startTelemetry({ exporter: 'none' }, 'unit', {
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
});
afterAll(() => telemetry.stop());
beforeEach(() => exporter.reset());

const event = (traceparent?: string) =>
  createEvent({
    type: 'component.registered',
    source: '/test',
    subject: 'c-1',
    sequence: 1,
    data: {},
    correlationId: 'corr-1',
    ...(traceparent && { traceparent }),
  });

describe('startTelemetry', () => {
  it('should let the first call in a process win', async () => {
    const second = await startTelemetry({ exporter: 'console' }, 'other');
    await second.stop();
    const span = trace.getTracer('x').startSpan('still recorded');
    span.end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['still recorded']);
  });
});

describe('startProducerSpan', () => {
  it('should open a PRODUCER span under the event traceparent and put its own in the headers', () => {
    const producer = startProducerSpan('registry.events', event(CALLER));
    producer.end();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('registry.events publish');
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(producer.headers).toEqual({
      traceparent: `00-${TRACE_ID}-${span?.spanContext().spanId}-01`,
      'correlation-id': 'corr-1',
    });
  });

  it('should mark the span failed when the send fails', () => {
    startProducerSpan('t', event(CALLER)).end(new Error('broker down'));
    expect(exporter.getFinishedSpans()[0]?.status).toMatchObject({
      code: 2,
      message: 'broker down',
    });
  });
});

describe('withConsumerSpan', () => {
  const record = { topic: 'registry.events', partition: 2, offset: '7', groupId: 'g' };

  it('should continue from the traceparent header, link the creation context and set log fields', async () => {
    const fields = await withConsumerSpan(
      { ...record, headers: { traceparent: Buffer.from(OTHER) } },
      event(CALLER),
      async () => ({ ...logTraceFields(), traceparent: currentTraceparent() }),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('registry.events process');
    expect(span?.kind).toBe(SpanKind.CONSUMER);
    expect(span?.parentSpanContext?.spanId).toBe('b'.repeat(16));
    expect(span?.links.map((link) => link.context.spanId)).toEqual(['00f067aa0ba902b7']);
    expect(span?.attributes['messaging.consumer.group.name']).toBe('g');
    expect(fields).toMatchObject({
      trace_id: 'a'.repeat(32),
      span_id: span?.spanContext().spanId,
      correlationId: 'corr-1',
    });
  });

  it('should fall back to the envelope traceparent and record a thrown error', async () => {
    await expect(
      withConsumerSpan(record, event(CALLER), async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.links).toEqual([]);
    expect(span?.status.code).toBe(2);
  });

  it('should start a new trace for an event without trace context', async () => {
    await withConsumerSpan(record, event(), async () => undefined);
    const [span] = exporter.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(trace.isSpanContextValid(span!.spanContext())).toBe(true);
  });
});

describe('createGraphQLTracing', () => {
  function fakeRequest(headers: Record<string, string>) {
    const req = { method: 'POST', url: '/graphql', headers } as unknown as IncomingMessage;
    const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as ServerResponse;
    return { req, res };
  }

  it('should open a SERVER span under the caller traceparent and assign a correlation id', () => {
    const { middleware } = createGraphQLTracing({ name: 'gateway' });
    const { req, res } = fakeRequest({ traceparent: CALLER });
    let inside: string | undefined;
    middleware(req, res, () => {
      inside = currentTraceparent();
    });
    res.emit('close');
    const [span] = exporter.getFinishedSpans();
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.instrumentationScope.name).toBe('component-platform/gateway');
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(inside).toBe(`00-${TRACE_ID}-${span?.spanContext().spanId}-01`);
    expect(req.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(span?.attributes['platform.correlation_id']).toBe(req.headers['x-correlation-id']);
  });

  it('should keep a correlation id sent by the caller and start a trace when none was sent', () => {
    const { middleware } = createGraphQLTracing({ name: 'registry' });
    const { req, res } = fakeRequest({ 'x-correlation-id': 'given' });
    middleware(req, res, () => undefined);
    res.emit('close');
    const [span] = exporter.getFinishedSpans();
    expect(req.headers['x-correlation-id']).toBe('given');
    expect(span?.parentSpanContext).toBeUndefined();
    expect(trace.getSpanContext(ROOT_CONTEXT)).toBeUndefined();
  });
});
