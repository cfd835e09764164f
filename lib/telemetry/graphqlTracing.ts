import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_CORRELATION_ID,
  ATTR_GRAPHQL_OPERATION_NAME,
  ATTR_GRAPHQL_OPERATION_TYPE,
} from './attributes';
import { extractContext, runInContext, TRACEPARENT_HEADER, withCorrelationId } from './propagation';
import { platformTracer } from './spans';
import { isTracing } from './startTelemetry';

/** Header of the platform's correlation id on HTTP requests. */
export const CORRELATION_ID_HTTP_HEADER = 'x-correlation-id';

/** Options of {@link createGraphQLTracing}. */
export interface GraphQLTracingOptions {
  /** Role name: names the tracer (`component-platform/<name>`). */
  name: string;
  /**
   * Put the correlation id into the context so every log line names it. Off where the
   * per-request logger already binds it (subgraphs), to avoid a duplicate key. With tracing off
   * it applies to requests carrying a trace context only (see {@link GraphQLTracing.middleware}).
   * @default true
   */
  logCorrelationId?: boolean;
}

/** Express-compatible middleware (typed structurally so lib/telemetry does not depend on express). */
export type TracingMiddleware = (
  req: IncomingMessage & { originalUrl?: string },
  res: ServerResponse,
  next: () => void,
) => void;

/** Server-side GraphQL tracing: a middleware opening the span and a plugin naming it. */
export interface GraphQLTracing {
  /**
   * Opens a SERVER span per HTTP request, child of the caller's `traceparent` when one was sent,
   * and runs the rest of the chain inside it. Mount it after the body parser (so the chain runs
   * synchronously inside the span's context) and before Apollo's middleware. It also assigns an
   * `x-correlation-id` to requests that carry none, so context builders and logs agree.
   *
   * Tracing off (no provider), a request without `traceparent` runs in no async context at all:
   * there is no span to carry, and entering one would switch on async hooks for the process
   * (every promise tracked). A request with one still enters it, so code that reads the active
   * context (event publishing) passes it through; the gateway reads it from the request headers.
   */
  middleware: TracingMiddleware;
  /** Names the active server span after the operation (`mutation RegisterComponent`) and marks errors. */
  plugin: ApolloServerPlugin<BaseContext>;
}

// Spans opened by a tracing middleware: the plugin renames only those, never a span that merely
// happens to be active (e.g. an operation executed from a Kafka callback inside another span).
const serverSpans = new WeakSet<object>();

/** Creates the server-side tracing of a GraphQL endpoint (gateway or subgraph). */
export function createGraphQLTracing({
  name,
  logCorrelationId = true,
}: GraphQLTracingOptions): GraphQLTracing {
  return {
    middleware(req, res, next) {
      let correlationId = req.headers[CORRELATION_ID_HTTP_HEADER];
      if (typeof correlationId !== 'string' || correlationId === '') {
        correlationId = randomUUID();
        req.headers[CORRELATION_ID_HTTP_HEADER] = correlationId;
      }
      if (!isTracing() && req.headers[TRACEPARENT_HEADER] === undefined) {
        next();
        return;
      }
      const parent = extractContext(req.headers, ROOT_CONTEXT);
      const span = platformTracer(name).startSpan(
        'GraphQL Operation',
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: req.method ?? 'GET',
            [ATTR_URL_PATH]: (req.originalUrl ?? req.url ?? '').split('?')[0],
            [ATTR_CORRELATION_ID]: correlationId,
          },
        },
        parent,
      );
      serverSpans.add(span);
      // 'close' fires once the response is sent or the connection died: the span always ends.
      res.once('close', () => {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      const active = trace.setSpan(parent, span);
      runInContext(logCorrelationId ? withCorrelationId(active, correlationId) : active, next);
    },
    plugin: {
      async requestDidStart() {
        // Read once: hooks below run in the request's async context, inside the server span.
        const span = trace.getActiveSpan();
        if (!span || !serverSpans.has(span)) return;
        return {
          async didResolveOperation({ operation, operationName }) {
            const type = operation?.operation ?? 'query';
            span.updateName(operationName ? `${type} ${operationName}` : type);
            span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, type);
            if (operationName) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, operationName);
          },
          async didEncounterErrors({ errors }) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: errors[0]?.message ?? '' });
          },
        };
      },
    },
  };
}
