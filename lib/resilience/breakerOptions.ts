/** Thresholds of every breaker of one {@link createBreakerRegistry} registry. */
export interface BreakerOptions {
  /**
   * Failure percentage, over the rolling window, above which a breaker opens.
   * @default 50
   */
  errorThresholdPercentage: number;
  /**
   * Calls in the rolling window before a breaker may open at all (a single failure out of one
   * call is no evidence).
   * @default 10
   */
  volumeThreshold: number;
  /**
   * How long a breaker stays open before it half-opens and lets one trial call through.
   * @default 10000
   */
  resetTimeoutMs: number;
  /**
   * Length of the rolling window of counts (split in 10 buckets).
   * @default 10000
   */
  rollingCountTimeoutMs: number;
}

/** Defaults of {@link BreakerOptions}. */
export const defaultBreakerOptions = {
  errorThresholdPercentage: 50,
  volumeThreshold: 10,
  resetTimeoutMs: 10_000,
  rollingCountTimeoutMs: 10_000,
} as const satisfies BreakerOptions;

/** Merges given options over the defaults; bad values throw "expected …, but got: X". */
export function resolveBreakerOptions(given: Partial<BreakerOptions>): BreakerOptions {
  const options: BreakerOptions = { ...defaultBreakerOptions };
  for (const key of Object.keys(defaultBreakerOptions) as (keyof BreakerOptions)[]) {
    const value = given[key];
    if (value === undefined) continue;
    const max = key === 'errorThresholdPercentage' ? 100 : Number.MAX_SAFE_INTEGER;
    const min = key === 'volumeThreshold' || key === 'errorThresholdPercentage' ? 0 : 1;
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new TypeError(
        `expected ${key} to be a number in [${min}, ${max}], but got: ${String(value)}`,
      );
    }
    options[key] = value;
  }
  return options;
}
