import {
  createHostRateLimiter,
  parseHostRates,
  parseRateLimitReset,
  resolveHostRateLimiterOptions,
} from '../../../lib/resilience';

const answer = (headers: Record<string, string>) => ({
  headers: new Headers(headers),
});

/** Settles pending promise callbacks and timers due now, so a still-pending promise is waiting. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const track = <T>(promise: Promise<T>) => {
  const state = { done: false, value: undefined as T | undefined };
  void promise.then((value) => Object.assign(state, { done: true, value }));
  return state;
};

describe('createHostRateLimiter', () => {
  it('should hand out a host’s tokens at once, then make the next caller wait for the window', async () => {
    const limiter = createHostRateLimiter({ defaultRate: { points: 2, durationSec: 1 } });
    await expect(limiter.acquire('a.test')).resolves.toBe(0);
    await limiter.acquire('a.test');
    const third = limiter.acquire('a.test');
    const state = track(third);
    await settle();
    expect(state.done).toBe(false);
    // Another host has its own bucket.
    await expect(limiter.acquire('b.test')).resolves.toBe(0);
    await expect(third).resolves.toBeGreaterThan(0);
    const metrics = await limiter.registry.getSingleMetricAsString(
      'outbound_rate_limit_waits_total',
    );
    expect(metrics).toContain('host="a.test",reason="budget"');
  });

  it('should use a host’s own rate over the default', async () => {
    const limiter = createHostRateLimiter({
      defaultRate: { points: 1, durationSec: 60 },
      hosts: { 'FAST.test': { points: 3, durationSec: 60 } },
    });
    for (let i = 0; i < 3; i++) await expect(limiter.acquire('fast.test')).resolves.toBe(0);
    await limiter.acquire('slow.test');
    const controller = new AbortController();
    const slow = limiter.acquire('slow.test', controller.signal);
    controller.abort(new Error('step deadline'));
    await expect(slow).rejects.toThrow('step deadline');
  });

  it('should stop waiting for a token when the signal aborts', async () => {
    const limiter = createHostRateLimiter({ defaultRate: { points: 1, durationSec: 60 } });
    await limiter.acquire('a.test');
    const controller = new AbortController();
    const waiting = limiter.acquire('a.test', controller.signal);
    await settle();
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(limiter.acquire('b.test', aborted)).rejects.toThrow('already');
  });

  it('should pause a host for its Retry-After (seconds) and let no caller through before', async () => {
    const limiter = createHostRateLimiter();
    const before = Date.now();
    const pause = limiter.observe('a.test', answer({ 'retry-after': '1' }));
    expect(pause).toBe(1000);
    const until = limiter.pausedUntil('a.test')!.getTime();
    expect(until).toBeGreaterThanOrEqual(before + 1000);
    await limiter.acquire('a.test');
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(limiter.pausedUntil('a.test')).toBeNull();
    expect(limiter.pausedUntil('b.test')).toBeNull();
  });

  it('should read a Retry-After HTTP date', () => {
    const limiter = createHostRateLimiter();
    const due = Math.floor((Date.now() + 20_000) / 1000) * 1000;
    limiter.observe('a.test', answer({ 'retry-after': new Date(due).toUTCString() }));
    expect(limiter.pausedUntil('a.test')!.getTime()).toBe(due);
  });

  it('should pause on X-RateLimit-Remaining: 0 until X-RateLimit-Reset (epoch or delta seconds)', async () => {
    const limiter = createHostRateLimiter();
    const epoch = Math.floor(Date.now() / 1000) + 30;
    limiter.observe(
      'epoch.test',
      answer({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(epoch) }),
    );
    expect(limiter.pausedUntil('epoch.test')!.getTime()).toBe(epoch * 1000);

    const before = Date.now();
    limiter.observe(
      'delta.test',
      answer({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }),
    );
    const until = limiter.pausedUntil('delta.test')!.getTime();
    expect(until).toBeGreaterThanOrEqual(before + 1000);
    await limiter.acquire('delta.test');
    expect(Date.now()).toBeGreaterThanOrEqual(until);
  });

  it('should not pause while requests remain, nor without a reset', () => {
    const limiter = createHostRateLimiter();
    expect(
      limiter.observe(
        'a.test',
        answer({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '30' }),
      ),
    ).toBe(0);
    expect(limiter.observe('a.test', answer({ 'x-ratelimit-remaining': '0' }))).toBe(0);
    expect(limiter.observe('a.test', answer({}))).toBe(0);
    expect(limiter.pausedUntil('a.test')).toBeNull();
  });

  it('should cut a pause to maxPauseMs and never shorten a longer one', () => {
    const limiter = createHostRateLimiter({ maxPauseMs: 5000 });
    expect(limiter.observe('a.test', answer({ 'retry-after': '3600' }))).toBe(5000);
    const long = limiter.pausedUntil('a.test')!.getTime();
    limiter.observe('a.test', answer({ 'retry-after': '1' }));
    expect(limiter.pausedUntil('a.test')!.getTime()).toBe(long);
  });

  it('should abort a wait for a paused host', async () => {
    const limiter = createHostRateLimiter();
    limiter.observe('a.test', answer({ 'retry-after': '60' }));
    const controller = new AbortController();
    const waiting = limiter.acquire('a.test', controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
  });
});

describe('parseRateLimitReset', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('should read delta seconds, epoch seconds and epoch milliseconds', () => {
    expect(parseRateLimitReset('30', now)).toBe(30_000);
    expect(parseRateLimitReset(String(now / 1000 + 10), now)).toBe(10_000);
    expect(parseRateLimitReset(String(now + 2500), now)).toBe(2500);
    expect(parseRateLimitReset(String(now / 1000 - 10), now)).toBe(0);
  });

  it('should return undefined for absent or unreadable values', () => {
    expect(parseRateLimitReset(null, now)).toBeUndefined();
    expect(parseRateLimitReset('soon', now)).toBeUndefined();
    expect(parseRateLimitReset('-3', now)).toBeUndefined();
  });
});

describe('host rate options', () => {
  it('should parse host=points/seconds lists', () => {
    expect(parseHostRates('api.example.com=5/1, Hooks.io=60/60,x.test=7')).toEqual({
      'api.example.com': { points: 5, durationSec: 1 },
      'hooks.io': { points: 60, durationSec: 60 },
      'x.test': { points: 7, durationSec: 1 },
    });
    expect(parseHostRates('')).toEqual({});
  });

  it('should refuse bad values with what was expected', () => {
    expect(() => parseHostRates('api.example.com')).toThrow(
      'expected "host=points/seconds", but got: "api.example.com"',
    );
    expect(() =>
      resolveHostRateLimiterOptions({ defaultRate: { points: 0, durationSec: 1 } }),
    ).toThrow(/expected defaultRate to be/);
    expect(() => resolveHostRateLimiterOptions({ maxPauseMs: -1 })).toThrow(/expected maxPauseMs/);
  });
});
