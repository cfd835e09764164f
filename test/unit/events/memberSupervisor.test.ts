import { createEventMetrics, createManualClock } from '../../../lib/events';
import {
  createMemberSupervisor,
  type AttemptEnd,
  type AttemptLife,
} from '../../../lib/events/transport/memberSupervisor';
import { createLogger } from '../../../lib/logging';

const logger = createLogger({ name: 'supervisor-test', level: 'fatal' });

/** Polls `condition` on real time (the watchdog's interval is real), advancing the manual clock. */
async function until(condition: () => boolean, advance: () => Promise<void>) {
  for (let turn = 0; turn < 500; turn++) {
    if (condition()) return;
    await advance();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition never met');
}

describe('member supervisor', () => {
  it('should restart a member that stops fetching and heartbeating, and report it', async () => {
    const clock = createManualClock();
    const metrics = createEventMetrics();
    const lives: AttemptLife[] = [];
    const member = createMemberSupervisor({
      groupId: 'g',
      logger,
      metrics,
      clock,
      stallAfterMs: 200,
      stopGraceMs: 100,
      // Joins, then goes silent: the member that left its group without a word.
      attempt: (life) => {
        lives.push(life);
        life.running();
        return new Promise<AttemptEnd>(() => undefined);
      },
    });
    member.start();
    await until(
      () => member.status().state === 'running',
      () => clock.advance(10),
    );
    await until(
      () => lives.length === 2 && member.status().state === 'running',
      () => clock.advance(100),
    );
    expect(member.status()).toMatchObject({
      restarts: 1,
      lastError: expect.stringMatching(/^stalled/),
    });
    expect(lives[0]!.active()).toBe(false);
    expect(lives[0]!.leaveNow()).toBe(true);
    const restarts = await metrics.consumerRestarts.get();
    expect(restarts.values).toEqual([
      expect.objectContaining({ labels: { group: 'g', reason: 'stalled' }, value: 1 }),
    ]);
    await member.stop();
    expect(member.status().state).toBe('stopped');
  });

  it('should restart after a crash or a failed join with backoff, for ever, and stop while waiting', async () => {
    const clock = createManualClock();
    const metrics = createEventMetrics();
    let attempts = 0;
    const states: string[] = [];
    const member = createMemberSupervisor({
      groupId: 'g',
      logger,
      metrics,
      clock,
      stallAfterMs: 60_000,
      stopGraceMs: 100,
      attempt: async () => {
        attempts += 1;
        if (attempts % 2 === 1) throw new Error('broker unreachable');
        return { reason: 'crash', error: new Error('KafkaJSNonRetriableError') };
      },
    });
    member.onStateChange((state) => states.push(state));
    member.start();
    await until(
      () => attempts >= 6,
      () => clock.advance(1_000),
    );
    expect(member.status().restarts).toBeGreaterThanOrEqual(5);
    expect(states).toContain('restarting');
    expect(states).not.toContain('running');
    const up = await metrics.consumerUp.get();
    expect(up.values[0]?.value).toBe(0);
    await member.stop();
    expect(member.status().state).toBe('stopped');
  });
});
