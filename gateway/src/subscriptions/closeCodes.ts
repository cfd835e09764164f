/**
 * WebSocket close codes the gateway uses on top of graphql-ws' own (4400–4504).
 * Clients of graphql-ws retry on codes it does not know, which is what we want for both:
 * a slow consumer reconnects with its last `after` cursor; a restart reconnects elsewhere.
 */
export enum SubscriptionCloseCode {
  /** RFC 6455 "Service Restart": the gateway is shutting down; reconnect. */
  ServiceRestart = 1012,
  /** The client did not read its messages fast enough and its bounded buffer overflowed. */
  SlowConsumer = 4290,
}
