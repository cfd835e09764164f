import { createKeyScheduler } from '../../../lib/events';

/** A task whose completion the test controls. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createKeyScheduler', () => {
  it('should run one key strictly serially in push order', async () => {
    const scheduler = createKeyScheduler(10);
    const log: string[] = [];
    const first = gate();
    scheduler.push('a', async () => {
      log.push('a1 start');
      await first.opened;
      log.push('a1 end');
    });
    scheduler.push('a', async () => {
      log.push('a2');
    });
    await flush();
    expect(log).toEqual(['a1 start']);
    first.open();
    await scheduler.idle();
    expect(log).toEqual(['a1 start', 'a1 end', 'a2']);
  });

  it('should run different keys in parallel while one key is blocked', async () => {
    const scheduler = createKeyScheduler(10);
    const blocked = gate();
    const done: string[] = [];
    scheduler.push('slow', async () => {
      await blocked.opened;
      done.push('slow');
    });
    scheduler.push('fast-1', async () => void done.push('fast-1'));
    scheduler.push('fast-2', async () => void done.push('fast-2'));
    await flush();
    expect(done).toEqual(['fast-1', 'fast-2']);
    expect(scheduler.pending).toBe(1);
    blocked.open();
    await scheduler.idle();
    expect(done).toEqual(['fast-1', 'fast-2', 'slow']);
  });

  it('should keep at most maxInFlight tasks running', async () => {
    const scheduler = createKeyScheduler(2);
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, gate);
    gates.forEach((g, i) =>
      scheduler.push(`k${i}`, async () => {
        running++;
        peak = Math.max(peak, running);
        await g.opened;
        running--;
      }),
    );
    await flush();
    expect(running).toBe(2);
    gates.forEach((g) => g.open());
    await scheduler.idle();
    expect(peak).toBe(2);
  });

  it('should continue a key after one of its tasks failed', async () => {
    const scheduler = createKeyScheduler(1);
    const done: string[] = [];
    scheduler.push('a', () => Promise.reject(new Error('boom')));
    scheduler.push('a', async () => void done.push('after'));
    await scheduler.idle();
    expect(done).toEqual(['after']);
  });

  it('should refuse a non-positive maxInFlight', () => {
    expect(() => createKeyScheduler(0)).toThrow('expected maxInFlight to be an integer >= 1');
  });
});
