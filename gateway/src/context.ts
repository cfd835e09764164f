/** Per-request context of the gateway. */
export interface GatewayContext {
  correlationId: string;
  /** Verified JWT claims, when the request carried a valid token. */
  claims?: Record<string, unknown>;
}
