import { eventually } from '../../utils/graphqlClient';
import { startScriptedServer, type ScriptedServer } from '../../utils/startScriptedServer';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const BREAKERS = /* GraphQL */ `
  query {
    circuitBreakers {
      name
      state
      fires
      failures
      successes
      rejects
      openedAt
      nextAttemptAt
    }
  }
`;

interface BreakerRow {
  name: string;
  state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  fires: number;
  failures: number;
  successes: number;
  rejects: number;
  openedAt: string | null;
  nextAttemptAt: string | null;
}

describe('workflow outbound resilience', () => {
  let harness: WorkflowHarness;
  let flapping: ScriptedServer;

  beforeAll(async () => {
    flapping = await startScriptedServer();
    harness = await startWorkflowHarness({
      WORKFLOW_WEBHOOK_SECRET: 'test-secret-0123456789abcdef',
      WORKFLOW_WEBHOOK_ATTEMPTS: '2',
      WORKFLOW_WEBHOOK_BACKOFF_MS: '10',
      // Two calls in the window, half of them failed: open. Open long enough for a run to be
      // refused (a run takes a few seconds through Kafka here), then half-open.
      WORKFLOW_BREAKER_VOLUME: '2',
      WORKFLOW_BREAKER_ERROR_PERCENT: '50',
      WORKFLOW_BREAKER_RESET_MS: '8000',
    });
    await harness.define({
      id: 'notify-flapping',
      version: '1.0.0',
      name: 'Notify a flapping endpoint',
      steps: [{ id: 'hook', type: 'action', action: 'webhook.call', input: { url: flapping.url } }],
    });
  });

  afterAll(async () => {
    await harness?.stop();
    await flapping?.stop();
  });

  const breakerOf = async (): Promise<BreakerRow | undefined> => {
    const result = await harness.query<{ circuitBreakers: BreakerRow[] }>(BREAKERS);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.circuitBreakers.find((b) => b.name === `webhook:${flapping.host}`);
  };

  it('should open a flapping host’s breaker, stop calling it while open, and close after the reset', async () => {
    // Fails twice, then succeeds.
    flapping.reply({ status: 503 }, { status: 503 });

    const first = await harness.start('notify-flapping');
    const failed = await harness.waitForStatus(first, ['SUCCEEDED', 'FAILED']);
    expect(failed.status).toBe('FAILED');
    expect(flapping.calls.map((c) => c.status)).toEqual([503, 503]);
    const open = await breakerOf();
    expect(open).toMatchObject({ state: 'OPEN', failures: 2 });
    expect(Date.parse(open!.nextAttemptAt!)).toBeGreaterThan(Date.parse(open!.openedAt!));
    const metrics = await fetch(`${harness.workflow.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain(
      `circuit_breaker_transitions_total{breaker="webhook:${flapping.host}",to="OPEN"} 1`,
    );

    // While open: refused at once, retriably, and the host is not called.
    const refused = await harness.start('notify-flapping');
    const refusedRun = await harness.waitForStatus(refused, ['SUCCEEDED', 'FAILED']);
    expect(refusedRun.error).toContain('CIRCUIT_OPEN');
    expect(flapping.calls).toHaveLength(2);
    expect((await breakerOf())!.rejects).toBeGreaterThanOrEqual(1);

    // After the reset it half-opens on its own; one trial call that succeeds closes it.
    await eventually(async () => ((await breakerOf())?.state === 'HALF_OPEN' ? true : undefined));
    const trial = await harness.start('notify-flapping');
    expect((await harness.waitForStatus(trial, ['SUCCEEDED', 'FAILED'])).status).toBe('SUCCEEDED');
    expect(flapping.calls.map((c) => c.status)).toEqual([503, 503, 200]);
    expect(await breakerOf()).toMatchObject({
      state: 'CLOSED',
      openedAt: null,
      nextAttemptAt: null,
    });
  });

  it('should honour a 429’s Retry-After before calling the host again', async () => {
    const limited = await startScriptedServer();
    try {
      limited.reply({ status: 429, headers: { 'retry-after': '1' } });
      await harness.define({
        id: 'notify-limited',
        version: '1.0.0',
        name: 'Notify a rate-limited endpoint',
        steps: [
          { id: 'hook', type: 'action', action: 'webhook.call', input: { url: limited.url } },
        ],
      });
      const runId = await harness.start('notify-limited');
      const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED']);
      expect(run.status).toBe('SUCCEEDED');
      const [refused, accepted] = limited.calls;
      expect([refused!.status, accepted!.status]).toEqual([429, 200]);
      expect(accepted!.receivedAt - refused!.answeredAt).toBeGreaterThanOrEqual(1000);
    } finally {
      await limited.stop();
    }
  });
});
