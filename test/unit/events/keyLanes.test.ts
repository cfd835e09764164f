import { runKeyLanes } from '../../../lib/events';

/** A step whose completion the test controls. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const keyOf = (item: string) => item.split(':')[0]!;

describe('runKeyLanes', () => {
  it('should run one key strictly in order', async () => {
    const log: string[] = [];
    const first = gate();
    const done = runKeyLanes(['a:1', 'a:2'], keyOf, 10, async (item) => {
      log.push(`${item} start`);
      if (item === 'a:1') await first.opened;
      log.push(`${item} end`);
      return true;
    });
    await flush();
    expect(log).toEqual(['a:1 start']);
    first.open();
    await done;
    expect(log).toEqual(['a:1 start', 'a:1 end', 'a:2 start', 'a:2 end']);
  });

  it('should run other keys while one key is blocked', async () => {
    const blocked = gate();
    const finished: string[] = [];
    const done = runKeyLanes(['slow:1', 'fast:1', 'fast:2', 'other:1'], keyOf, 10, async (item) => {
      if (item === 'slow:1') await blocked.opened;
      finished.push(item);
      return true;
    });
    await flush();
    expect(finished).toEqual(['fast:1', 'other:1', 'fast:2']);
    blocked.open();
    await done;
    expect(finished).toEqual(['fast:1', 'other:1', 'fast:2', 'slow:1']);
  });

  it('should keep at most maxInFlight lanes running', async () => {
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, gate);
    const done = runKeyLanes(
      ['k0', 'k1', 'k2', 'k3', 'k4'],
      (item) => item,
      2,
      async (item) => {
        running++;
        peak = Math.max(peak, running);
        await gates[Number(item.slice(1))]!.opened;
        running--;
        return true;
      },
    );
    await flush();
    expect(running).toBe(2);
    gates.forEach((g) => g.open());
    await done;
    expect(peak).toBe(2);
  });

  it('should stop a key at the first item its runner declines, and go on with the other keys', async () => {
    const ran: string[] = [];
    await runKeyLanes(['a:1', 'a:2', 'b:1', 'a:3'], keyOf, 1, async (item) => {
      ran.push(item);
      return item !== 'a:2';
    });
    expect(ran).toEqual(['a:1', 'a:2', 'b:1']);
  });

  it('should refuse a non-positive maxInFlight', async () => {
    await expect(runKeyLanes([], keyOf, 0, async () => true)).rejects.toThrow(
      'expected maxInFlight to be an integer >= 1',
    );
  });
});
