/** Per-request context of the gateway. */
export interface GatewayContext {
  correlationId: string;
  /** Verified JWT claims, when the request carried a valid token. */
  claims?: Record<string, unknown>;
  /**
   * Set by the subgraph data source when a subgraph answered with a stored response for the
   * request's `Idempotency-Key` (a replay); the idempotency plugin marks the client's response.
   */
  idempotentReplay?: boolean;
  /**
   * The client an HTTP operation is rate-limited as (JWT subject, else remote address). Unset for
   * operations run for graphql-ws sockets: they are counted when subscribed.
   */
  rateLimitKey?: string;
}
