import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { graphqlError } from '../../lib/graphql';
import {
  activeContext,
  ATTR_SUBGRAPH_NAME,
  injectContext,
  platformTracer,
  SpanKind,
  withSpan,
} from '../../lib/telemetry';
import type { GatewayContext } from './context';
import { signClaims } from './subgraphSignature';

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
}

/**
 * A subgraph data source that forwards the correlation id, trace context and signed claims, times out slow
 * subgraphs, and fetches through Node's built-in fetch (undici: pooled keep-alive connections).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly #options: SubgraphDataSourceOptions;

  constructor(options: SubgraphDataSourceOptions) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    super({
      url: options.url,
      fetcher: ((url: string, init: RequestInit) =>
        fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as never,
    });
    this.#options = { ...options, timeoutMs };
  }

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    if ('correlationId' in context && context.correlationId) {
      headers.set('x-correlation-id', context.correlationId);
    }
    // Runs inside process()'s CLIENT span: the subgraph's server span becomes its child.
    for (const [name, value] of Object.entries(injectContext({}))) headers.set(name, value);
    if (this.#options.signingSecret) {
      const claims = 'claims' in context ? context.claims : undefined;
      for (const [name, value] of Object.entries(signClaims(this.#options.signingSecret, claims))) {
        headers.set(name, value);
      }
    }
  }

  override process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
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
      () => this.#process(options),
    );
  }

  async #process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    const started = process.hrtime.bigint();
    const observe = (failed: boolean) =>
      this.#options.observe?.(
        this.#options.name,
        Number(process.hrtime.bigint() - started) / 1e9,
        failed,
      );
    try {
      const response = await super.process(options);
      observe(false);
      return response;
    } catch (error) {
      observe(true);
      const name = (error as { name?: string; cause?: { name?: string } }).name;
      const causeName = (error as { cause?: { name?: string } }).cause?.name;
      if (
        name === 'TimeoutError' ||
        causeName === 'TimeoutError' ||
        /aborted due to timeout/.test(String(error))
      ) {
        throw graphqlError(
          'GATEWAY_TIMEOUT',
          `subgraph ${this.#options.name} did not answer within ${this.#options.timeoutMs} ms`,
          { subgraph: this.#options.name, http: { status: 504 } },
        );
      }
      throw error;
    }
  }
}
