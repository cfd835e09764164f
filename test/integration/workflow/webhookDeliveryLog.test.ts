import { startScriptedServer, type ScriptedServer } from '../../utils/startScriptedServer';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const DELIVERIES = /* GraphQL */ `
  query Deliveries($filter: WebhookDeliveryFilter) {
    webhookDeliveries(filter: $filter) {
      nodes {
        deliveryId
        direction
        endpoint
        runId
        stepId
        state
        nextRetryAt
        attempts {
          status
          durationMs
          error
        }
      }
    }
  }
`;

interface DeliveryRow {
  deliveryId: string;
  direction: string;
  endpoint: string;
  runId: string;
  stepId: string;
  state: string;
  nextRetryAt: string | null;
  attempts: { status: number | null; durationMs: number; error: string | null }[];
}

describe('outbound webhook deliveries in the MongoDB delivery log', () => {
  let harness: WorkflowHarness;
  let receiver: ScriptedServer;

  beforeAll(async () => {
    receiver = await startScriptedServer();
    harness = await startWorkflowHarness({
      WORKFLOW_WEBHOOK_SECRET: 'test-secret-0123456789abcdef',
      WORKFLOW_WEBHOOK_ATTEMPTS: '3',
      WORKFLOW_WEBHOOK_BACKOFF_MS: '10',
    });
    await harness.define({
      id: 'notify-receiver',
      version: '1.0.0',
      name: 'Notify a receiver',
      steps: [{ id: 'hook', type: 'action', action: 'webhook.call', input: { url: receiver.url } }],
    });
  });

  afterAll(async () => {
    await harness?.stop();
    await receiver?.stop();
  });

  const deliveriesOf = async (runId: string) => {
    const result = await harness.query<{ webhookDeliveries: { nodes: DeliveryRow[] } }>(
      DELIVERIES,
      { filter: { direction: 'OUTBOUND', runId } },
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.webhookDeliveries.nodes;
  };

  it('should record every attempt of a delivery that succeeds on its third', async () => {
    receiver.reply({ status: 503 }, { status: 500 }, { status: 200 });
    const runId = await harness.start('notify-receiver');
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED']);
    expect(run.status).toBe('SUCCEEDED');
    const [delivery, ...others] = await deliveriesOf(runId);
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({
      deliveryId: `${runId}/hook/1`,
      direction: 'OUTBOUND',
      endpoint: receiver.host,
      runId,
      stepId: 'hook',
      state: 'SUCCEEDED',
      nextRetryAt: null,
    });
    expect(delivery!.attempts.map((attempt) => attempt.status)).toEqual([503, 500, 200]);
    expect(receiver.calls.map((call) => call.status)).toEqual([503, 500, 200]);
    for (const attempt of delivery!.attempts) expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('should record a delivery whose attempts all fail as FAILED', async () => {
    receiver.reply({ status: 502 }, { status: 502 }, { status: 502 });
    const runId = await harness.start('notify-receiver');
    expect((await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED'])).status).toBe('FAILED');
    const deliveries = await deliveriesOf(runId);
    // The step's own retry policy may execute it again: each execution is one delivery.
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    for (const delivery of deliveries) {
      expect(delivery.state).toBe('FAILED');
      expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([502, 502, 502]);
    }
  });
});
