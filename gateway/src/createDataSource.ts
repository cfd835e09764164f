import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { graphqlError } from '../../lib/graphql';
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
 * A subgraph data source that forwards the correlation id and signed claims, times out slow
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
    if (this.#options.signingSecret) {
      const claims = 'claims' in context ? context.claims : undefined;
      for (const [name, value] of Object.entries(signClaims(this.#options.signingSecret, claims))) {
        headers.set(name, value);
      }
    }
  }

  override async process(
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
