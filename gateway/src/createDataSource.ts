import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { GraphQLError } from 'graphql';
import { Pool, errors as undiciErrors } from 'undici';
import { graphqlError, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAY_HEADER } from '../../lib/graphql';
import {
  activeContext,
  ATTR_SUBGRAPH_NAME,
  injectContext,
  isTracing,
  platformTracer,
  SpanKind,
  TRACEPARENT_HEADER,
  withSpan,
} from '../../lib/telemetry';
import { isCircuitOpenError, type BreakerRegistry } from '../../lib/resilience';
import type { GatewayContext } from './context';
import { createResponseHeaders } from './executor/responseHeaders';
import { restrictCachePolicy } from './executor/restrictCachePolicy';
import { circuitOpenResponse, isSubgraphFailure } from './subgraphBreaker';
import { signClaims } from '../../lib/graphql/gatewaySignature';

/** How long a subgraph fetch may take unless `timeoutMs` says otherwise. */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 10_000;

/** Options of {@link SubgraphDataSource}. */
export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** Abort a subgraph request after this long (GATEWAY_TIMEOUT). @default 10000 */
  timeoutMs?: number;
  /** HMAC secret signing the claims header for subgraphs. */
  signingSecret?: string;
  /** Reports each fetch's duration (metrics). */
  observe?(subgraph: string, seconds: number, failed: boolean): void;
  /** Circuit breakers: this subgraph's (keyed by its name) guards every fetch. Absent: none. */
  breakers?: BreakerRegistry;
}

/** Options of a subgraph request, as the gateway hands them to a data source. */
type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;

const TRACESTATE_HEADER = 'tracestate';

/** Connection-level failures: the subgraph is down, restarting or cut off. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** True for an error (or its cause) with one of {@link UNREACHABLE_CODES}. */
function isUnreachable(error: unknown): boolean {
  const codes = [error, (error as { cause?: unknown } | null)?.cause].map(
    (candidate) => (candidate as { code?: unknown } | null)?.code,
  );
  return codes.some((code) => typeof code === 'string' && UNREACHABLE_CODES.has(code));
}

/** undici's errors for a subgraph that sent no headers, or no body, within the timeout. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A subgraph data source that forwards the correlation id, trace context, signed claims and (for
 * mutations) the client's `Idempotency-Key`, times out slow subgraphs, and posts over a keep-alive
 * undici connection pool per subgraph. It answers like Apollo's `RemoteGraphQLDataSource` (same
 * request body, same errors for non-2xx answers, same cache-control handling) without its
 * per-request cost: make-fetch-happen builds an `Error` (a stack trace) per request in agent-base,
 * and node-fetch `Request`/`Headers` objects twice.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  readonly #options: SubgraphDataSourceOptions & { timeoutMs: number };
  #pool: Pool | undefined;
  #path = '';

  constructor(options: SubgraphDataSourceOptions) {
    this.#options = { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS };
  }

  /** Closes the pooled connections (the gateway is stopping). */
  async close(): Promise<void> {
    await this.#pool?.close();
  }

  /** The subgraph's pool, created on first use: a missing URL fails requests, not the gateway. */
  #connect(): Pool {
    if (this.#pool) return this.#pool;
    let url: URL;
    try {
      url = new URL(this.#options.url);
    } catch {
      throw new Error(
        `expected a URL for subgraph ${this.#options.name}, but got: ${JSON.stringify(this.#options.url)}`,
      );
    }
    this.#path = `${url.pathname}${url.search}`;
    this.#pool = new Pool(url.origin, {
      // As many sockets as requests in flight (Apollo's fetcher: `maxSockets: Infinity`).
      connections: null,
      keepAliveTimeout: 30_000,
      headersTimeout: this.#options.timeoutMs,
      bodyTimeout: this.#options.timeoutMs,
    });
    return this.#pool;
  }

  process(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    if (!isTracing()) return this.#guarded(options);
    return withSpan(
      platformTracer('gateway'),
      `subgraph ${this.#options.name}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_SUBGRAPH_NAME]: this.#options.name,
          [ATTR_HTTP_REQUEST_METHOD]: 'POST',
          [ATTR_URL_FULL]: this.#options.url,
        },
      },
      activeContext(),
      () => this.#guarded(options),
    );
  }

  /** The fetch through the subgraph's breaker: while it is open, an error answer at once. */
  async #guarded(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const breakers = this.#options.breakers;
    if (!breakers) return this.#process(options);
    try {
      return await breakers.fire(
        this.#options.name,
        () => this.#process(options),
        isSubgraphFailure,
      );
    } catch (error) {
      if (isCircuitOpenError(error)) return circuitOpenResponse(this.#options.name, error, options);
      throw error;
    }
  }

  /** Headers of a subgraph request: the caller's, then the platform's. */
  #headers(options: ProcessOptions): Record<string, string> {
    const headers: Record<string, string> = {};
    const given = options.request.http?.headers;
    if (given) for (const [name, value] of given) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    if (options.kind !== GraphQLDataSourceRequestKind.INCOMING_OPERATION) return headers;
    const { context, incomingRequestContext } = options;
    if (context.correlationId) headers['x-correlation-id'] = context.correlationId;
    // Every fetch of a client mutation (entity fetches too) carries the key, so each subgraph
    // replays its part of a retried mutation. Validated by plugins/useIdempotencyKey.ts.
    if (incomingRequestContext.operation?.operation === 'mutation') {
      const key = incomingRequestContext.request.http?.headers.get(IDEMPOTENCY_KEY_HEADER);
      if (key) headers[IDEMPOTENCY_KEY_HEADER] = key;
    }
    // Inside process()'s CLIENT span when tracing: the subgraph's server span becomes its child.
    // Tracing off: the client's trace context is passed through as received, read from its
    // headers (the gateway enters no async context for it, see lib/telemetry graphqlTracing.ts).
    const received = isTracing()
      ? undefined
      : incomingRequestContext.request.http?.headers.get(TRACEPARENT_HEADER);
    if (received) {
      headers[TRACEPARENT_HEADER] = received;
      const state = incomingRequestContext.request.http?.headers.get(TRACESTATE_HEADER);
      if (state) headers[TRACESTATE_HEADER] = state;
    } else {
      injectContext(headers);
    }
    if (this.#options.signingSecret) {
      Object.assign(headers, signClaims(this.#options.signingSecret, context.claims));
    }
    return headers;
  }

  async #process(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const started = process.hrtime.bigint();
    const observe = (failed: boolean) =>
      this.#options.observe?.(
        this.#options.name,
        Number(process.hrtime.bigint() - started) / 1e9,
        failed,
      );
    try {
      const response = await this.#send(options);
      observe(false);
      if (
        options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION &&
        response.http?.headers.get(IDEMPOTENT_REPLAY_HEADER) === 'true'
      ) {
        options.context.idempotentReplay = true;
      }
      return response;
    } catch (error) {
      observe(true);
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
        throw graphqlError(
          'GATEWAY_TIMEOUT',
          `subgraph ${this.#options.name} did not answer within ${this.#options.timeoutMs} ms`,
          { subgraph: this.#options.name, http: { status: 504 } },
        );
      }
      if (isUnreachable(error))
        // Typed, and on the fields this fetch fills: the other subgraphs' fields still resolve.
        throw graphqlError('SERVICE_UNAVAILABLE', `subgraph ${this.#options.name} is unreachable`, {
          subgraph: this.#options.name,
          reason: 'UNREACHABLE',
        });
      throw error;
    }
  }

  async #send(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    // The body Apollo's RemoteGraphQLDataSource sends: the request without its `http` part.
    const { http: _http, ...body } = request;
    const url = this.#options.url;
    const pool = this.#connect();
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await pool.request({
        path: this.#path,
        method: 'POST',
        headers: this.#headers(options),
        body: JSON.stringify(body),
      });
    } catch (error) {
      if (error instanceof undiciErrors.UndiciError && TIMEOUT_CODES.has(error.code)) throw error;
      // The message make-fetch-happen gives, so errors read the same as a plain gateway's.
      throw new Error(`request to ${url} failed, reason: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const headers = createResponseHeaders(response.headers);
    const contentType = headers.get('content-type');
    const isJson =
      contentType !== null &&
      (contentType.startsWith('application/json') ||
        contentType.startsWith('application/graphql-response+json'));
    const parsed: unknown = isJson ? await response.body.json() : await response.body.text();
    const statusText = STATUS_CODES[response.statusCode] ?? '';
    if (response.statusCode < 200 || response.statusCode > 299) {
      const { statusCode: status } = response;
      throw new GraphQLError(`${status}: ${statusText}`, {
        extensions: {
          response: { url, status, statusText, body: parsed },
          ...(status === 401 && { code: 'UNAUTHENTICATED' }),
          ...(status === 403 && { code: 'FORBIDDEN' }),
        },
      });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    }
    if (options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION) {
      restrictCachePolicy(options.incomingRequestContext, headers.get('cache-control'));
    }
    return {
      ...(parsed as GatewayGraphQLResponse),
      http: { headers, status: response.statusCode },
    };
  }
}
