import { execFile, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../../utils/graphqlClient';

const FIXTURE = join(__dirname, 'fixtures/exportOneSpan.ts');
const TSX = join(__dirname, '../../../node_modules/tsx/dist/cli.mjs');

/** Fixture processes not yet exited (killed after each test, so a failing one leaves none). */
const running = new Set<ChildProcess>();

/** Runs the fixture (one span, then `telemetry.stop()`) with `env` added to the environment. */
function exportOneSpan(env: Record<string, string>) {
  const run = promisify(execFile)(process.execPath, [TSX, FIXTURE], {
    env: { ...process.env, OTEL_TRACES_EXPORTER: 'otlp', ...env },
  });
  running.add(run.child);
  run.child.once('exit', () => running.delete(run.child));
  return run;
}

/**
 * A stand-in OTLP/HTTP collector that records what it is sent; it answers 200 unless `answer` is
 * false, when it keeps every request open and unanswered (a collector that hangs).
 */
async function startCollector({ answer = true } = {}) {
  const received: { url?: string; contentType?: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url, contentType: req.headers['content-type'], body });
      if (answer) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('OTLP export', () => {
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
  });

  it('should post spans to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces with OTEL_SERVICE_NAME', async () => {
    const collector = await startCollector();
    try {
      const { stdout } = await exportOneSpan({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'otlp-check',
      });
      expect(stdout).toBe('telemetry stopped\n');
      expect(collector.received.map((r) => r.url)).toEqual(['/v1/traces']);
      const [request] = collector.received;
      expect(request?.contentType).toBe('application/json');
      expect(request?.body).toContain('"exported-span"');
      expect(request?.body).toContain('"otlp-check"');
    } finally {
      await collector.close();
    }
  });

  it('should stop and exit cleanly when the collector is unreachable', async () => {
    // Port 9 (discard) is closed on loopback: the final flush fails with ECONNREFUSED, and the
    // exporter would go on retrying it.
    const run = exportOneSpan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    await expect(run).resolves.toEqual({ stdout: 'telemetry stopped\n', stderr: '' });
  });

  it('should stop without waiting for the answer of a collector that never answers', async () => {
    const collector = await startCollector({ answer: false });
    try {
      // Export and batch timeouts of 10 minutes: only the bounded wait of `stop()` (not a timeout
      // of the exporter) lets this process stop while its flush is still unanswered; without it,
      // the run never resolves and the test fails on jest's timeout.
      const run = exportOneSpan({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_TIMEOUT: '600000',
        OTEL_BSP_EXPORT_TIMEOUT: '600000',
      });
      await expect(run).resolves.toEqual({ stdout: 'telemetry stopped\n', stderr: '' });
      // The flush did reach the collector, which still has not answered it.
      const [request] = await eventually(async () =>
        collector.received.length > 0 ? collector.received : undefined,
      );
      expect(request?.url).toBe('/v1/traces');
      expect(request?.body).toContain('"exported-span"');
    } finally {
      await collector.close();
    }
  });
});
