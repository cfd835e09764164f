import cluster from 'node:cluster';
import {
  RateLimiterCluster,
  RateLimiterMemory,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Logger } from '../../../lib/logging';
import type { LimitedOperation, RateLimitOptions } from './rateLimitOptions';

/** Why an operation was refused, and when the client may try again. */
export interface RateLimitRefusal {
  operation: LimitedOperation;
  /** Whole seconds until a point is free again (the `Retry-After` value), at least 1. */
  retryAfterSeconds: number;
  limit: number;
  durationSeconds: number;
}

/** Counts operations per client key and type. */
export interface OperationRateLimiter {
  /** Spends one point of `key`'s `operation` budget; a refusal when none is left, else null. */
  consume(operation: LimitedOperation, key: string): Promise<RateLimitRefusal | null>;
}

/** Options of {@link createOperationRateLimiter}. */
export interface OperationRateLimiterOptions {
  limits: Omit<RateLimitOptions, 'enabled'>;
  /**
   * Keep the counters in the cluster primary (RateLimiterCluster), so a client's budget is the
   * same whichever worker serves it. Needs `startRateLimitPrimary()` in the primary.
   * @default cluster.isWorker
   */
  shared?: boolean;
  logger: Logger;
}

const OPERATIONS: readonly LimitedOperation[] = ['query', 'mutation', 'subscription'];

/** Creates the per-client, per-operation-type limiter (fixed windows, rate-limiter-flexible). */
export function createOperationRateLimiter(
  options: OperationRateLimiterOptions,
): OperationRateLimiter {
  const shared = options.shared ?? cluster.isWorker;
  const limiters = Object.fromEntries(
    OPERATIONS.map((operation) => {
      const { points, durationSeconds } = options.limits[operation];
      const settings = { points, duration: durationSeconds, keyPrefix: `gateway-${operation}` };
      const limiter: RateLimiterAbstract = shared
        ? new RateLimiterCluster({ ...settings, timeoutMs: 1_000 })
        : new RateLimiterMemory(settings);
      return [operation, limiter];
    }),
  ) as Record<LimitedOperation, RateLimiterAbstract>;
  let storeFailureLogged = false;
  return {
    async consume(operation, key) {
      try {
        await limiters[operation].consume(key);
        return null;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          const { points, durationSeconds } = options.limits[operation];
          return {
            operation,
            retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
            limit: points,
            durationSeconds,
          };
        }
        // The counter store did not answer (the cluster primary is busy or gone): serve the
        // operation rather than refuse every client for the gateway's own fault.
        if (!storeFailureLogged) {
          storeFailureLogged = true;
          options.logger.warn(
            { err: rejection },
            'rate-limit store failed: operations are let through',
          );
        }
        return null;
      }
    },
  };
}
