export {
  createBreakerRegistry,
  type BreakerRegistry,
  type BreakerRegistryOptions,
  type BreakerView,
} from './createBreakerRegistry';
export {
  defaultBreakerOptions,
  resolveBreakerOptions,
  type BreakerOptions,
} from './breakerOptions';
export { BREAKER_STATE_VALUE, type BreakerState } from './breakerMetrics';
export {
  CircuitOpenError,
  isCircuitOpenError,
  ResilienceError,
  RESILIENCE_ERROR_CODES,
  type ResilienceErrorCode,
} from './errors';
export {
  createHostRateLimiter,
  parseRateLimitReset,
  type HostRateLimiter,
  type HostRateLimiterInit,
  type RateLimitedAnswer,
} from './createHostRateLimiter';
export {
  defaultHostRateLimiterOptions,
  parseHostRates,
  parseRate,
  resolveHostRateLimiterOptions,
  type HostRate,
  type HostRateLimiterOptions,
} from './hostRateOptions';
export { parseRetryAfter } from './parseRetryAfter';
