import type { IncomingMessage } from 'node:http';
import type { GraphQLError, OperationTypeNode } from 'graphql';
import type { Registry } from 'prom-client';
import type { Logger } from '../../lib/logging';
import { createBreakerRegistry, type BreakerRegistry } from '../../lib/resilience';
import type { GatewayOptions } from './config';
import {
  createOperationRateLimiter,
  defaultRateLimitOptions,
  rateLimitedError,
  rateLimitKey,
  type OperationRateLimiter,
} from './rateLimits';
import type { SubscriberIdentity } from './subscriptions';

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
  options: Pick<GatewayOptions, 'breakers' | 'rateLimits'>,
  logger: Logger,
): GatewayResilience {
  const { enabled: breakersOn = true, ...thresholds } = options.breakers ?? {};
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
