import { backoffDelay, defaultRetryOptions } from '../../../lib/events';

describe('backoffDelay', () => {
  const options = { ...defaultRetryOptions, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2 };

  it('should grow exponentially between half and all of the capped delay', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 0)).toBe(200);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
  });

  it('should never exceed maxDelayMs', () => {
    expect(backoffDelay(30, options, () => 1)).toBe(1000);
    expect(backoffDelay(30, options, () => 0)).toBe(500);
  });

  it('should refuse an attempt below 1', () => {
    expect(() => backoffDelay(0, options)).toThrow('expected attempt to be an integer >= 1');
  });
});
