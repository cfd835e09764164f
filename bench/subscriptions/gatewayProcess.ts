/**
 * The gateway under test, alone in its process (started by bench/subscriptions/run.ts with
 * `--expose-gc` and a raised `ulimit -n`). Configuration comes from the environment like
 * gateway/src/main.ts; the parent talks to it over the IPC channel:
 *   → { type: 'memory' }  ← { type: 'memory', heapUsed, rss, external, arrayBuffers, gc }
 *   → { type: 'cpu' }     ← { type: 'cpu', userMs, systemMs }
 *   → { type: 'heapSnapshot', path } ← { type: 'heapSnapshot', path } (after GC)
 *   → { type: 'stop' }    ← { type: 'stopped' } then exits
 * and it announces { type: 'ready', url, subscriptionsUrl } once listening.
 */
import { writeHeapSnapshot } from 'node:v8';
import { gatewayOptionsFromEnv, startGateway } from '../../gateway/src';

type Request =
  { type: 'memory' } | { type: 'cpu' } | { type: 'heapSnapshot'; path: string } | { type: 'stop' };

const send = (message: object) => process.send?.(message);

async function main() {
  if (!process.send) throw new Error('start me with an IPC channel (bench/subscriptions/run.ts)');
  const gateway = await startGateway(gatewayOptionsFromEnv());
  process.on('message', (raw) => {
    const request = raw as Request;
    if (request.type === 'memory') {
      // Two passes: the first may only promote what the second frees.
      global.gc?.();
      global.gc?.();
      const usage = process.memoryUsage();
      send({ type: 'memory', ...usage, gc: Boolean(global.gc) });
    } else if (request.type === 'cpu') {
      const usage = process.cpuUsage();
      send({ type: 'cpu', userMs: usage.user / 1000, systemMs: usage.system / 1000 });
    } else if (request.type === 'heapSnapshot') {
      global.gc?.();
      send({ type: 'heapSnapshot', path: writeHeapSnapshot(request.path) });
    } else if (request.type === 'stop') {
      gateway.stop().then(
        () => {
          send({ type: 'stopped' });
          process.exit(0);
        },
        (error: unknown) => {
          console.error('gateway stop failed', error);
          process.exit(1);
        },
      );
    }
  });
  // An orphaned gateway would hold its ports: leave with the parent.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: gateway.url, subscriptionsUrl: gateway.subscriptionsUrl });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
