export {
  createOperationRateLimiter,
  type OperationRateLimiter,
  type RateLimitRefusal,
} from './createOperationRateLimiter';
export { rateLimitKey } from './rateLimitKey';
export { rateLimitedError } from './rateLimitedError';
export {
  defaultRateLimitOptions,
  parseRateLimit,
  type LimitedOperation,
  type RateLimit,
  type RateLimitOptions,
} from './rateLimitOptions';
export { startRateLimitPrimary } from './startRateLimitPrimary';
