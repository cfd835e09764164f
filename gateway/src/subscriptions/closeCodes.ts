/**
 * WebSocket close codes the gateway uses on top of graphql-ws' own (4400–4504).
 * Clients of graphql-ws retry on codes it does not know, which is what we want for both:
 * a slow consumer reconnects with its last `after` cursor; a restart reconnects elsewhere.
 */
export enum SubscriptionCloseCode {
  /**
   * RFC 6455 "Going Away": the gateway is shutting down (SIGTERM, `stop()`); reconnect, to this
   * instance once it is back or to another, and resume with `after`. 1001 is the standard code
   * for a server going down; 1012 ("Service Restart") is not in RFC 6455 itself, only in IANA's
   * registry, and would promise a restart the gateway cannot know about.
   */
  GoingAway = 1001,
  /** The client did not read its messages fast enough and its bounded buffer overflowed. */
  SlowConsumer = 4290,
}
