import { backoffDelay, canRetry } from '../../../subgraphs/workflow/src/engine/backoff';

describe('backoffDelay', () => {
  it('should double exponential delays from the second attempt and cap them', () => {
    const policy = {
      attempts: 6,
      backoff: { type: 'exponential' as const, delayMs: 100, maxDelayMs: 500 },
    };
    expect([2, 3, 4, 5, 6].map((attempt) => backoffDelay(policy, attempt))).toEqual([
      100, 200, 400, 500, 500,
    ]);
  });

  it('should keep fixed delays fixed and retry at once without a backoff', () => {
    expect(backoffDelay({ attempts: 3, backoff: { type: 'fixed', delayMs: 250 } }, 3)).toBe(250);
    expect(backoffDelay({ attempts: 3 }, 2)).toBe(0);
    expect(backoffDelay(undefined, 2)).toBe(0);
  });
});

describe('canRetry', () => {
  it('should allow attempts up to the total including the first', () => {
    expect(canRetry({ attempts: 3 }, 1)).toBe(true);
    expect(canRetry({ attempts: 3 }, 2)).toBe(true);
    expect(canRetry({ attempts: 3 }, 3)).toBe(false);
    expect(canRetry(undefined, 1)).toBe(false);
  });
});
