import {
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { runInContext } from './propagation';

/** Instrumentation scope of every platform tracer; the role goes in the tracer's name. */
export const TRACER_PREFIX = 'component-platform';

/** The tracer of a role or component (`component-platform/<name>`), from the global provider. */
export function platformTracer(name: string): Tracer {
  return trace.getTracer(`${TRACER_PREFIX}/${name}`);
}

/** Marks a span failed with the error (status ERROR plus an exception event). */
export function recordSpanError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Starts a span as a child of `parent`, runs `fn` with it active, and ends it when `fn` settles;
 * a thrown error is recorded on the span and rethrown.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  parent: Context,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, options, parent);
  try {
    return await runInContext(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
