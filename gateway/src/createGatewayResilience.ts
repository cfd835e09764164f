import type { IncomingMessage } from 'node:http';
import type { GraphQLError, OperationTypeNode } from 'graphql';
import type { Registry } from 'prom-client';
import type { Logger } from '../../lib/logging';
import { createBreakerRegistry, type BreakerRegistry } from '../../lib/resilience';
import { DEFAULT_SUBGRAPH_TIMEOUT_MS } from './createDataSource';
import type { GatewayOptions } from './config';
import {
  createOperationRateLimiter,
  defaultRateLimitOptions,
  rateLimitedError,
  rateLimitKey,
  type OperationRateLimiter,
} from './rateLimits';
import type { SubscriberIdentity } from './subscriptions';

/** The shortest default window of a subgraph breaker's counts. */
const MIN_BREAKER_WINDOW_MS = 10_000;

/** The gateway's circuit breakers and inbound rate limiter, as configured. */
export interface GatewayResilience {
  /** One breaker per subgraph (absent: breakers off). */
  breakers?: BreakerRegistry;
  /** Per-client limits (absent: limits off). */
  limiter?: OperationRateLimiter;
  /** Registries to merge into `/metrics`. */
  registries: Registry[];
  /** Counts a graphql-ws operation against its socket's client; the refusal, or null. */
  admitSocketOperation(
    operation: OperationTypeNode,
    identity: SubscriberIdentity,
    request: IncomingMessage,
  ): Promise<GraphQLError | null>;
  stop(): void;
}

/** Creates the breakers and the limiter of a gateway from its options. */
export function createGatewayResilience(
  options: Pick<GatewayOptions, 'breakers' | 'rateLimits' | 'subgraphTimeoutMs'>,
  logger: Logger,
): GatewayResilience {
  const { enabled: breakersOn = true, ...thresholds } = options.breakers ?? {};
  // A fetch counts when it starts and fails when it times out: a window no longer than the
  // timeout would drop a hanging subgraph's fires before their failures arrive (never opening);
  // a short one holds too few calls to reach the volume threshold.
  thresholds.rollingCountTimeoutMs ??= Math.max(
    MIN_BREAKER_WINDOW_MS,
    1.5 * (options.subgraphTimeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS),
  );
  const breakers = breakersOn
    ? createBreakerRegistry({ ...thresholds, logger: logger.child({ component: 'breakers' }) })
    : undefined;
  const limits = { ...defaultRateLimitOptions, ...options.rateLimits };
  const limiter = limits.enabled ? createOperationRateLimiter({ limits, logger }) : undefined;
  return {
    ...(breakers && { breakers }),
    ...(limiter && { limiter }),
    registries: breakers ? [breakers.registry] : [],
    async admitSocketOperation(operation, identity, request) {
      if (!limiter) return null;
      const key = rateLimitKey(identity.claims, request.socket.remoteAddress);
      const refusal = await limiter.consume(operation, key);
      return refusal ? rateLimitedError(refusal) : null;
    },
    stop() {
      breakers?.shutdown();
    },
  };
}
