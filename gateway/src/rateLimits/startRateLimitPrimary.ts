import { RateLimiterClusterMaster } from 'rate-limiter-flexible';

/**
 * In the cluster primary: keeps the workers' rate-limit counters (one store for all workers, so
 * a client cannot multiply its budget by the number of cores). Idempotent.
 */
export function startRateLimitPrimary(): void {
  new RateLimiterClusterMaster();
}
