import pino from 'pino';
import {
  createOperationRateLimiter,
  parseRateLimit,
  rateLimitKey,
} from '../../../gateway/src/rateLimits';

describe('gateway rate limits', () => {
  it('should parse points/seconds and refuse anything else', () => {
    expect(parseRateLimit('100/1')).toEqual({ points: 100, durationSeconds: 1 });
    expect(parseRateLimit(' 5 / 60s ')).toEqual({ points: 5, durationSeconds: 60 });
    expect(() => parseRateLimit('0/1')).toThrow(
      'expected points/seconds such as 100/1, but got: 0/1',
    );
    expect(() => parseRateLimit('fast')).toThrow('but got: fast');
  });

  it('should key by JWT subject, else by address', () => {
    expect(rateLimitKey({ sub: 'u1' }, '10.0.0.1')).toBe('sub:u1');
    expect(rateLimitKey(undefined, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitKey({ sub: 42 }, '10.0.0.1')).toBe('ip:10.0.0.1');
  });

  it('should refuse a key over its limit per operation type, with a retry delay', async () => {
    const limiter = createOperationRateLimiter({
      limits: {
        query: { points: 2, durationSeconds: 60 },
        mutation: { points: 1, durationSeconds: 60 },
        subscription: { points: 1, durationSeconds: 60 },
      },
      shared: false,
      logger: pino({ level: 'silent' }),
    });
    expect(await limiter.consume('query', 'a')).toBeNull();
    expect(await limiter.consume('query', 'a')).toBeNull();
    const refusal = await limiter.consume('query', 'a');
    expect(refusal).toMatchObject({ operation: 'query', limit: 2, durationSeconds: 60 });
    expect(refusal?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refusal?.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await limiter.consume('query', 'b')).toBeNull();
    expect(await limiter.consume('mutation', 'a')).toBeNull();
  });
});
