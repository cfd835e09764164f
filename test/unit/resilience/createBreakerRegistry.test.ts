import pino from 'pino';
import { Registry } from 'prom-client';
import {
  CircuitOpenError,
  createBreakerRegistry,
  isCircuitOpenError,
  type BreakerRegistry,
} from '../../../lib/resilience';
import { eventually } from '../../utils/graphqlClient';

/** A logger whose lines are kept in `lines`. */
function captureLogger() {
  const lines: { msg: string; breaker?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const fail = () => Promise.reject(new Error('down'));
const succeed = () => Promise.resolve('ok');

async function failTimes(breakers: BreakerRegistry, key: string, times: number) {
  for (let i = 0; i < times; i++) await breakers.fire(key, fail).catch(() => undefined);
}

describe('createBreakerRegistry', () => {
  let breakers: BreakerRegistry | undefined;
  afterEach(() => breakers?.shutdown());

  it('should open after the volume threshold of failures and refuse calls with CircuitOpenError', async () => {
    const { logger, lines } = captureLogger();
    breakers = createBreakerRegistry({ logger, volumeThreshold: 3, resetTimeoutMs: 60_000 });
    await failTimes(breakers, 'a', 3);
    let calls = 0;
    const refused = await breakers
      .fire('a', () => {
        calls++;
        return succeed();
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'CIRCUIT_OPEN', breaker: 'a', retriable: true });
    expect((refused as CircuitOpenError).nextAttemptAt).toBeInstanceOf(Date);
    expect(calls).toBe(0);
    const [view] = breakers.list();
    expect(view).toMatchObject({ name: 'a', state: 'OPEN', counts: { failures: 3, rejects: 1 } });
    expect(view?.openedAt).toEqual(expect.any(String));
    expect(Date.parse(view?.nextAttemptAt ?? '')).toBe(Date.parse(view?.openedAt ?? '') + 60_000);
    expect(lines.filter((line) => line.msg === 'circuit breaker opened')).toHaveLength(1);
  });

  it('should not open below the volume threshold', async () => {
    breakers = createBreakerRegistry({ logger: pino({ level: 'silent' }), volumeThreshold: 5 });
    await failTimes(breakers, 'a', 4);
    expect(breakers.list()[0]?.state).toBe('CLOSED');
    await expect(breakers.fire('a', succeed)).resolves.toBe('ok');
  });

  it('should count only the failures isFailure selects', async () => {
    breakers = createBreakerRegistry({ logger: pino({ level: 'silent' }), volumeThreshold: 1 });
    const clientError = Object.assign(new Error('bad input'), { status: 400 });
    for (let i = 0; i < 5; i++) {
      await expect(
        breakers.fire(
          'a',
          () => Promise.reject(clientError),
          (e) => (e as { status?: number }).status !== 400,
        ),
      ).rejects.toBe(clientError);
    }
    expect(breakers.list()[0]).toMatchObject({ state: 'CLOSED', counts: { failures: 0 } });
  });

  it('should half-open after the reset timeout and close on a successful trial', async () => {
    const { logger, lines } = captureLogger();
    const metrics = new Registry();
    breakers = createBreakerRegistry({ logger, metrics, volumeThreshold: 1, resetTimeoutMs: 20 });
    await failTimes(breakers, 'flappy', 2);
    expect(breakers.list()[0]?.state).toBe('OPEN');
    const open = await metrics.getSingleMetricAsString('circuit_breaker_state');
    expect(open).toContain('circuit_breaker_state{breaker="flappy"} 2');
    await eventually(
      async () => (breakers?.list()[0]?.state === 'HALF_OPEN' ? true : undefined),
      5_000,
      5,
    );
    expect(await metrics.getSingleMetricAsString('circuit_breaker_state')).toContain(
      'circuit_breaker_state{breaker="flappy"} 1',
    );
    await expect(breakers.fire('flappy', succeed)).resolves.toBe('ok');
    expect(breakers.list()[0]).toMatchObject({
      state: 'CLOSED',
      openedAt: null,
      nextAttemptAt: null,
    });
    const transitions = await metrics.getSingleMetricAsString('circuit_breaker_transitions_total');
    expect(transitions).toContain('{breaker="flappy",to="OPEN"} 1');
    expect(transitions).toContain('{breaker="flappy",to="HALF_OPEN"} 1');
    expect(transitions).toContain('{breaker="flappy",to="CLOSED"} 1');
    expect(lines.map((line) => line.msg)).toEqual([
      'circuit breaker opened',
      'circuit breaker half-open: letting one trial call through',
      'circuit breaker closed',
    ]);
  });

  it('should reopen when the half-open trial fails, and refuse others while the trial is in flight', async () => {
    breakers = createBreakerRegistry({
      logger: pino({ level: 'silent' }),
      volumeThreshold: 1,
      resetTimeoutMs: 20,
    });
    await failTimes(breakers, 'a', 1);
    await eventually(
      async () => (breakers?.list()[0]?.state === 'HALF_OPEN' ? true : undefined),
      5_000,
      5,
    );
    let release!: (error: Error) => void;
    const trial = breakers.fire('a', () => new Promise<never>((_, reject) => (release = reject)));
    const during = await breakers.fire('a', succeed).catch((error: unknown) => error);
    expect(during).toBeInstanceOf(CircuitOpenError);
    release(new Error('still down'));
    await expect(trial).rejects.toThrow('still down');
    expect(breakers.list()[0]?.state).toBe('OPEN');
  });

  it('should keep breakers apart by key and list them by name', async () => {
    breakers = createBreakerRegistry({ logger: pino({ level: 'silent' }), volumeThreshold: 1 });
    await failTimes(breakers, 'b', 2);
    await expect(breakers.fire('a', succeed)).resolves.toBe('ok');
    expect(breakers.list().map(({ name, state }) => [name, state])).toEqual([
      ['a', 'CLOSED'],
      ['b', 'OPEN'],
    ]);
  });

  it('should throw at construction on bad options', () => {
    expect(() =>
      createBreakerRegistry({ logger: pino({ level: 'silent' }), errorThresholdPercentage: 120 }),
    ).toThrow('expected errorThresholdPercentage to be a number in [0, 100], but got: 120');
  });
});
