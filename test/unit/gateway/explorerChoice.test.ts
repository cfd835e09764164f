import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayOptionsFromEnv } from '../../../gateway/src/config';
import { createSandboxProbe } from '../../../gateway/src/explorer/createSandboxProbe';
import { chooseLandingPage } from '../../../gateway/src/landingPage';
import { createLogger } from '../../../lib/logging';
import { contentSecurityPolicy } from '../../../gateway/src/ui/serveUiPage';

const logger = createLogger({ name: 'test', level: 'silent' });
const explorerOf = (env: Record<string, string>) => gatewayOptionsFromEnv(env).explorer;

describe('GATEWAY_EXPLORER', () => {
  it('should default to auto in development, sandbox under test and nothing set in production', () => {
    expect(explorerOf({ NODE_ENV: 'development' })?.mode).toBe('auto');
    expect(explorerOf({ NODE_ENV: 'test' })?.mode).toBe('sandbox');
    expect(explorerOf({ NODE_ENV: 'production' })?.mode).toBeUndefined();
  });

  it('should take an explicit mode and probe settings', () => {
    expect(
      explorerOf({
        NODE_ENV: 'production',
        GATEWAY_EXPLORER: 'local',
        GATEWAY_EXPLORER_PROBE_URL: 'http://127.0.0.1:9/sandbox.js',
        GATEWAY_EXPLORER_PROBE_TIMEOUT_MS: '250',
      }),
    ).toEqual({ mode: 'local', probeUrl: 'http://127.0.0.1:9/sandbox.js', probeTimeoutMs: 250 });
  });

  it('should refuse an unknown mode', () => {
    expect(() => explorerOf({ GATEWAY_EXPLORER: 'graphiql' })).toThrow(/GATEWAY_EXPLORER/);
  });
});

describe('chooseLandingPage', () => {
  it('should serve Sandbox, falling back to the local explorer, in auto', () => {
    expect(chooseLandingPage(false, undefined, 'auto')).toMatchObject({
      description: 'Apollo Sandbox (embedded)',
      localExplorer: 'offline',
    });
  });

  it('should serve only the local explorer in local mode, even in production', () => {
    expect(chooseLandingPage(true, undefined, 'local')).toMatchObject({
      description: 'local explorer (GraphiQL)',
      localExplorer: 'always',
    });
  });

  it('should serve nothing in production unless enabled, except a Studio link for a managed graph', () => {
    expect(chooseLandingPage(true, undefined)).toMatchObject({
      description: 'none',
      localExplorer: 'never',
    });
    expect(chooseLandingPage(true, 'graph@current').description).toBe('Apollo Studio link');
    expect(chooseLandingPage(true, 'graph@current', 'off').description).toBe('none');
  });

  it('should keep Sandbox for options built in code without a mode', () => {
    expect(chooseLandingPage(false, undefined)).toMatchObject({
      description: 'Apollo Sandbox (embedded)',
      localExplorer: 'never',
    });
  });
});

describe('createSandboxProbe', () => {
  let server: Server;
  let status = 200;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const urlOf = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox.js`;

  it('should report a CDN that answers as reachable', async () => {
    status = 200;
    const probe = createSandboxProbe({
      url: urlOf(),
      timeoutMs: 5_000,
      intervalMs: 60_000,
      logger,
    });
    expect(await probe.firstProbe).toBe(true);
    expect(probe.reachable()).toBe(true);
    probe.stop();
  });

  it('should report an error answer or a refused connection as unreachable', async () => {
    status = 503;
    const failing = createSandboxProbe({
      url: urlOf(),
      timeoutMs: 5_000,
      intervalMs: 60_000,
      logger,
    });
    expect(await failing.firstProbe).toBe(false);
    failing.stop();
    const refused = createSandboxProbe({
      url: 'http://127.0.0.1:9/sandbox.js',
      timeoutMs: 5_000,
      intervalMs: 60_000,
      logger,
    });
    expect(await refused.firstProbe).toBe(false);
    expect(refused.reachable()).toBe(false);
    refused.stop();
  });
});

describe('contentSecurityPolicy', () => {
  it('should allow only this origin, its sockets included', () => {
    const policy = contentSecurityPolicy('127.0.0.1:4000');
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("connect-src 'self' ws://127.0.0.1:4000 wss://127.0.0.1:4000");
    expect(policy).not.toMatch(/unsafe|https?:\/\//);
  });

  it('should not echo a malformed host header', () => {
    expect(contentSecurityPolicy('evil.example; script-src *')).toContain("connect-src 'self';");
  });
});
