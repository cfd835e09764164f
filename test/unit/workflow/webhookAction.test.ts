import { actionContext } from '../../utils/actionContext';
import { createLogger } from '../../../lib/logging';
import { createBreakerRegistry, createHostRateLimiter } from '../../../lib/resilience';
import type { OutboundGuard } from '../../../subgraphs/workflow/src/actions/outboundGuard';
import type { ActionContext } from '../../../subgraphs/workflow/src/actions/types';
import { fullJitterBackoff } from '../../../subgraphs/workflow/src/actions/webhook/webhookRetryOptions';
import {
  createWebhookAction,
  type WebhookActionOptions,
} from '../../../subgraphs/workflow/src/actions/webhookAction';
import type {
  DeliveryLog,
  DeliveryRecord,
} from '../../../subgraphs/workflow/src/webhooks/deliveryLog';
import { startScriptedServer, type ScriptedServer } from '../../utils/startScriptedServer';

const logger = createLogger({ name: 'test', level: 'silent' });
const SECRETS = { default: 'test-secret-0123456789abcdef' };

/** Keeps every save, in order (a real log replaces the record; the history is what is tested). */
const memoryDeliveryLog = () => {
  const saves: DeliveryRecord[] = [];
  const log: DeliveryLog = { save: async (record) => void saves.push(record) };
  return { log, saves };
};

const guardOf = (breakerOptions: { volumeThreshold?: number; resetTimeoutMs?: number } = {}) => {
  const guard: OutboundGuard = {
    breakers: createBreakerRegistry({ logger, errorThresholdPercentage: 50, ...breakerOptions }),
    limiter: createHostRateLimiter(),
  };
  return guard;
};

describe('webhook.call', () => {
  let server: ScriptedServer;
  const guards: OutboundGuard[] = [];

  beforeEach(async () => {
    server = await startScriptedServer();
  });

  afterEach(async () => {
    for (const guard of guards.splice(0)) guard.breakers.shutdown();
    await server.stop();
  });

  const call = (options: Partial<WebhookActionOptions>, ctx: Partial<ActionContext> = {}) => {
    if (options.guard) guards.push(options.guard);
    return createWebhookAction({ secrets: SECRETS, backoffMs: 1, ...options }).run(
      { url: server.url, body: { hello: 'world' } },
      actionContext({ stepId: 'hook', ...ctx }),
    );
  };

  it('should retry 5xx answers up to the attempt count, recording each attempt', async () => {
    server.reply({ status: 503 }, { status: 500 });
    const { log, saves } = memoryDeliveryLog();
    await expect(call({ deliveries: log, attempts: 3 })).resolves.toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(server.calls.map((c) => c.status)).toEqual([503, 500, 200]);
    expect(saves.map((s) => s.state)).toEqual(['RETRYING', 'RETRYING', 'SUCCEEDED']);
    const last = saves.at(-1)!;
    expect(last).toMatchObject({
      deliveryId: 'run-1/hook/1',
      direction: 'OUTBOUND',
      endpoint: server.host,
      url: server.url,
      runId: 'run-1',
      stepId: 'hook',
    });
    expect(last.nextRetryAt).toBeUndefined();
    expect(last.attempts.map((a) => a.status)).toEqual([503, 500, 200]);
    expect(last.attempts[0]).toMatchObject({ error: 'webhook answered 503' });
    expect(last.attempts.every((a) => a.at instanceof Date && a.durationMs >= 0)).toBe(true);
    // While retrying, the record says when the next attempt is due.
    expect(saves[0]!.nextRetryAt).toBeInstanceOf(Date);
    expect(saves[0]!.attempts).toHaveLength(1);
  });

  it('should retry a refused connection, recording the attempt without a status', async () => {
    const closed = await startScriptedServer();
    await closed.stop();
    const { log, saves } = memoryDeliveryLog();
    const error = await createWebhookAction({
      secrets: SECRETS,
      backoffMs: 1,
      attempts: 2,
      deliveries: log,
    })
      .run({ url: closed.url }, actionContext({ stepId: 'hook' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ACTION_FAILED', retriable: true });
    expect(saves.map((s) => s.state)).toEqual(['RETRYING', 'FAILED']);
    const attempts = saves.at(-1)!.attempts;
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.status === undefined && typeof a.error === 'string')).toBe(true);
  });

  it('should fail retriably after the last attempt, its delivery FAILED', async () => {
    const { log, saves } = memoryDeliveryLog();
    server.reply({ status: 502 }, { status: 502 });
    await expect(call({ deliveries: log, attempts: 2 })).rejects.toMatchObject({
      code: 'ACTION_FAILED',
      retriable: true,
      message: expect.stringContaining('webhook answered 502'),
    });
    expect(server.calls).toHaveLength(2);
    expect(saves.at(-1)).toMatchObject({ state: 'FAILED', reason: 'webhook answered 502' });
    expect(saves.at(-1)!.attempts).toHaveLength(2);
  });

  it('should retry a 408', async () => {
    server.reply({ status: 408 });
    await expect(call({})).resolves.toMatchObject({ status: 200 });
    expect(server.calls.map((c) => c.status)).toEqual([408, 200]);
  });

  it('should treat any other 4xx as final, not counting it against the breaker', async () => {
    // One counted failure would open this breaker.
    const guard = guardOf({ volumeThreshold: 1 });
    server.reply({ status: 404 }, { status: 404 }, { status: 422 });
    const { log, saves } = memoryDeliveryLog();
    for (const status of [404, 404, 422])
      await expect(call({ deliveries: log, guard })).rejects.toMatchObject({
        code: 'ACTION_FAILED',
        retriable: false,
        message: expect.stringContaining(`webhook answered ${status}`),
      });
    expect(server.calls.map((c) => c.status)).toEqual([404, 404, 422]);
    expect(saves.map((s) => s.state)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    const [breaker] = guard.breakers.list();
    expect(breaker).toMatchObject({ name: `webhook:${server.host}`, state: 'CLOSED' });
    expect(breaker!.counts.failures).toBe(0);
  });

  it('should wait a 429’s Retry-After instead of its backoff', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '1' } });
    // With a one-hour backoff, only honouring Retry-After lets this finish.
    const output = await call({ guard: guardOf(), backoffMs: 3_600_000, maxBackoffMs: 3_600_000 });
    expect(output).toMatchObject({ status: 200 });
    const [limited, next] = server.calls;
    expect(next!.receivedAt - limited!.answeredAt).toBeGreaterThanOrEqual(1000);
  });

  it('should fail at once (retriable) when Retry-After goes past the step deadline', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '30' } });
    const { log, saves } = memoryDeliveryLog();
    await expect(
      call({ deliveries: log }, { deadlineAt: Date.now() + 5_000 }),
    ).rejects.toMatchObject({ retriable: true, message: expect.stringContaining('step deadline') });
    expect(server.calls).toHaveLength(1);
    expect(saves.at(-1)).toMatchObject({ state: 'FAILED' });
  });

  it('should pause the host after X-RateLimit-Remaining: 0 until its reset', async () => {
    const guard = guardOf();
    server.reply({
      status: 200,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' },
    });
    await call({ guard });
    await call({ guard }, { attempt: 2 });
    const [first, second] = server.calls;
    expect(second!.receivedAt - first!.answeredAt).toBeGreaterThanOrEqual(1000);
  });

  it('should open the host’s breaker and then fail with CIRCUIT_OPEN without calling', async () => {
    const guard = guardOf({ volumeThreshold: 2, resetTimeoutMs: 60_000 });
    server.reply({ status: 500 }, { status: 500 });
    await expect(call({ guard, attempts: 2 })).rejects.toMatchObject({ retriable: true });
    expect(guard.breakers.list()[0]).toMatchObject({ state: 'OPEN' });

    const { log, saves } = memoryDeliveryLog();
    await expect(call({ guard, deliveries: log }, { attempt: 2 })).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      retriable: true,
    });
    expect(server.calls).toHaveLength(2);
    expect(saves).toEqual([
      expect.objectContaining({
        state: 'FAILED',
        attempts: [],
        reason: expect.stringMatching(/^CIRCUIT_OPEN/),
      }),
    ]);
  });

  it('should sign every attempt with a fresh timestamp', async () => {
    server.reply({ status: 503 });
    await call({});
    expect(server.calls).toHaveLength(2);
    for (const c of server.calls) {
      expect(c.headers['x-workflow-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(c.headers['x-workflow-run-id']).toBe('run-1');
    }
  });
});

describe('fullJitterBackoff', () => {
  it('should pick uniformly below a doubling, capped ceiling', () => {
    const options = { backoffMs: 100, maxBackoffMs: 1000 };
    expect(fullJitterBackoff(options, 1, () => 0)).toBe(0);
    expect(fullJitterBackoff(options, 1, () => 1)).toBe(100);
    expect(fullJitterBackoff(options, 3, () => 1)).toBe(400);
    expect(fullJitterBackoff(options, 10, () => 1)).toBe(1000);
    expect(fullJitterBackoff(options, 3, () => 0.5)).toBe(200);
  });
});
