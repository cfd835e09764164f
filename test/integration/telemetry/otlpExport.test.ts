import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const FIXTURE = join(__dirname, 'fixtures/exportOneSpan.ts');
const TSX = join(__dirname, '../../../node_modules/tsx/dist/cli.mjs');

/** A stand-in OTLP/HTTP collector that records what it is sent. */
async function startCollector() {
  const received: { url?: string; contentType?: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url, contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}

describe('OTLP export', () => {
  it('should post spans to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces with OTEL_SERVICE_NAME', async () => {
    const collector = await startCollector();
    try {
      await promisify(execFile)(process.execPath, [TSX, FIXTURE], {
        env: {
          ...process.env,
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_SERVICE_NAME: 'otlp-check',
        },
      });
      expect(collector.received.map((r) => r.url)).toEqual(['/v1/traces']);
      const [request] = collector.received;
      expect(request?.contentType).toBe('application/json');
      expect(request?.body).toContain('"exported-span"');
      expect(request?.body).toContain('"otlp-check"');
    } finally {
      collector.close();
    }
  });

  it('should exit cleanly and within the flush bound when the collector is unreachable', async () => {
    const started = Date.now();
    // Port 9 (discard) is closed on loopback: the final flush fails with ECONNREFUSED.
    const run = promisify(execFile)(process.execPath, [TSX, FIXTURE], {
      env: {
        ...process.env,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      },
    });
    await expect(run).resolves.toMatchObject({ stderr: '' });
    // The exporter alone would retry for ~10 s; shutdown waits SHUTDOWN_FLUSH_TIMEOUT_MS (3 s).
    expect(Date.now() - started).toBeLessThan(9_000);
  });
});
