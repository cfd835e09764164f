import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../subgraphs/workflow/src';
import type { RunCommands } from '../../../subgraphs/workflow/src/services/createRunCommands';
import {
  DELIVERY_ID_HEADER,
  mountWebhookRoutes,
  type SeenDeliveries,
  type WebhookDeliveryLog,
} from '../../../subgraphs/workflow/src/webhooks';

const SECRET = 'routes-secret-0123456789abcdef';

describe('mountWebhookRoutes', () => {
  let server: Server;
  let url: string;
  const lines: Record<string, unknown>[] = [];
  const startRun = jest.fn(async () => ({ _id: 'run-1' }));
  const signalRun = jest.fn(async () => ({ _id: 'run-1' }));
  const refusals: unknown[] = [];
  const saved: unknown[] = [];

  beforeAll(async () => {
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const seen = new Set<string>();
    const seenDeliveries: SeenDeliveries = {
      claim: async ({ deliveryId }) => !seen.has(deliveryId) && Boolean(seen.add(deliveryId)),
      release: async (_source, deliveryId) => void seen.delete(deliveryId),
    };
    const deliveries: WebhookDeliveryLog = {
      save: async (record) => void saved.push(record),
      recordRefusal: async (request) => void refusals.push(request),
    };
    const app = express();
    mountWebhookRoutes(app, {
      sources: [
        {
          name: 'ci',
          secret: SECRET,
          toleranceSec: 300,
          bodyLimit: '1kb',
          action: { type: 'start', definitionId: 'deploy', inputPointer: '' },
        },
      ],
      commands: { startRun, signalRun } as unknown as Pick<RunCommands, 'startRun' | 'signalRun'>,
      seen: seenDeliveries,
      deliveries,
      logger,
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/ci`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    lines.length = 0;
    refusals.length = 0;
    saved.length = 0;
    startRun.mockClear();
  });

  const post = (deliveryId: string, secret: string) => {
    const body = JSON.stringify({ ref: 'main' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    return fetch(url, {
      method: 'POST',
      headers: {
        [DELIVERY_ID_HEADER]: deliveryId,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
      },
      body,
    });
  };

  it('should answer a forged delivery 401, start nothing and log one line naming it', async () => {
    const deliveryId = randomUUID();
    const response = await post(deliveryId, 'someone-else-0123456789abcdef');
    expect(response.status).toBe(401);
    expect(startRun).not.toHaveBeenCalled();
    expect(lines).toEqual([
      expect.objectContaining({ source: 'ci', deliveryId, reason: 'BAD_SIGNATURE', status: 401 }),
    ]);
    // Counted on a summary: nothing keyed by the unverified id is written.
    expect(saved).toEqual([]);
    expect(refusals).toEqual([
      expect.objectContaining({
        source: 'ci',
        reason: 'BAD_SIGNATURE',
        claimedDeliveryId: deliveryId,
      }),
    ]);
  });

  it('should start a run once per delivery id, with the id in its idempotency key', async () => {
    const deliveryId = randomUUID();
    expect((await post(deliveryId, SECRET)).status).toBe(202);
    expect((await post(deliveryId, SECRET)).status).toBe(409);
    expect(startRun).toHaveBeenCalledTimes(1);
    expect(startRun).toHaveBeenCalledWith({
      definitionId: 'deploy',
      version: null,
      input: { ref: 'main' },
      idempotencyKey: `webhook:ci:${deliveryId}`,
    });
    expect(saved).toEqual([
      expect.objectContaining({ deliveryId, state: 'SUCCEEDED', runId: 'run-1', endpoint: 'ci' }),
    ]);
  });
});
