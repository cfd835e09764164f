/** A request budget: `points` requests per `durationSec` seconds. */
export interface HostRate {
  points: number;
  durationSec: number;
}

/** Options of {@link createHostRateLimiter}. */
export interface HostRateLimiterOptions {
  /**
   * Budget of every host not named in `hosts`.
   * @default { points: 20, durationSec: 1 }
   */
  defaultRate: HostRate;
  /**
   * Budgets of named hosts (`host` or `host:port`, as in a URL), overriding `defaultRate`.
   * @default {}
   */
  hosts: Record<string, HostRate>;
  /**
   * Longest pause a `Retry-After` or `X-RateLimit-Reset` answer may impose on a host; a larger
   * value (a clock skew, a misread header) is cut to this.
   * @default 300000
   */
  maxPauseMs: number;
}

/** Defaults of {@link HostRateLimiterOptions}. */
export const defaultHostRateLimiterOptions = {
  defaultRate: { points: 20, durationSec: 1 },
  hosts: {},
  maxPauseMs: 300_000,
} as const satisfies HostRateLimiterOptions;

const checkRate = (name: string, rate: HostRate): HostRate => {
  const ok =
    Number.isInteger(rate.points) &&
    rate.points >= 1 &&
    Number.isFinite(rate.durationSec) &&
    rate.durationSec > 0;
  if (!ok)
    throw new TypeError(
      `expected ${name} to be { points: integer >= 1, durationSec > 0 }, but got: ${JSON.stringify(rate)}`,
    );
  return rate;
};

/** Merges given options over the defaults; bad values throw "expected …, but got: X". */
export function resolveHostRateLimiterOptions(
  given: Partial<HostRateLimiterOptions> = {},
): HostRateLimiterOptions {
  const maxPauseMs = given.maxPauseMs ?? defaultHostRateLimiterOptions.maxPauseMs;
  if (!Number.isFinite(maxPauseMs) || maxPauseMs < 0)
    throw new TypeError(`expected maxPauseMs to be a number >= 0, but got: ${String(maxPauseMs)}`);
  return {
    defaultRate: checkRate(
      'defaultRate',
      given.defaultRate ?? defaultHostRateLimiterOptions.defaultRate,
    ),
    hosts: Object.fromEntries(
      Object.entries(given.hosts ?? {}).map(([host, rate]) => [
        host.toLowerCase(),
        checkRate(`hosts["${host}"]`, rate),
      ]),
    ),
    maxPauseMs,
  };
}

/** `points`, optionally `/seconds` (per second when left out). */
const RATE = /^(\d+)(?:\/(\d+(?:\.\d+)?))?$/;

const rateOf = (name: string, [, points, seconds]: RegExpExecArray): HostRate =>
  checkRate(name, {
    points: Number(points),
    durationSec: seconds === undefined ? 1 : Number(seconds),
  });

/** Reads one rate, `points/seconds` (or `points`, per second). */
export function parseRate(text: string): HostRate {
  const match = RATE.exec(text.trim());
  if (!match) throw new TypeError(`expected "points/seconds", but got: ${JSON.stringify(text)}`);
  return rateOf('rate', match);
}

/**
 * Reads `host=points/seconds` pairs separated by commas (`api.example.com=5/1,hooks.io=60/60`),
 * the format of the environment variables that configure per-host rates. `points` alone means per
 * second.
 */
export function parseHostRates(text: string): Record<string, HostRate> {
  const rates: Record<string, HostRate> = {};
  for (const pair of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([^=\s]+)=(.*)$/.exec(pair);
    const rate = match && RATE.exec(match[2]!);
    if (!match || !rate)
      throw new TypeError(`expected "host=points/seconds", but got: ${JSON.stringify(pair)}`);
    rates[match[1]!.toLowerCase()] = rateOf(match[1]!, rate);
  }
  return rates;
}
