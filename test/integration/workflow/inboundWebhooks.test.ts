import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../subgraphs/workflow/src';
import { DELIVERY_ID_HEADER } from '../../../subgraphs/workflow/src/webhooks';
import { eventually } from '../../utils/graphqlClient';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const DEPLOYS_SECRET = 'deploys-secret-0123456789abcdef';
const APPROVALS_SECRET = 'approvals-secret-0123456789abcd';

const SOURCES = `
sources:
  - name: deploys
    secretEnv: DEPLOYS_SECRET
    bodyLimit: 1kb
    action: { type: start, definitionId: on-push, inputPointer: /payload }
  - name: approvals
    secretEnv: APPROVALS_SECRET
    toleranceSec: 60
    action: { type: signal, signal: approved, runIdPointer: /runId, payloadPointer: /decision }
  - name: orphans
    secretEnv: DEPLOYS_SECRET
    action: { type: start, definitionId: never-defined }
`;

const DELIVERIES = /* GraphQL */ `
  query D($filter: WebhookDeliveryFilter, $first: Int, $after: String) {
    webhookDeliveries(filter: $filter, first: $first, after: $after) {
      nodes {
        deliveryId
        direction
        endpoint
        runId
        state
        reason
        count
        attempts {
          status
          durationMs
          error
          deliveryId
        }
      }
      nextCursor
    }
  }
`;

interface Delivery {
  deliveryId: string;
  endpoint: string;
  runId: string | null;
  state: string;
  reason: string | null;
  count: number;
  attempts: {
    status: number | null;
    durationMs: number;
    error: string | null;
    deliveryId: string | null;
  }[];
}

interface Answer {
  status: number;
  body: {
    runId?: string;
    deliveryId?: string;
    errors?: { message: string; extensions: { code: string; reason?: string } }[];
  };
}

const nowSec = () => Math.floor(Date.now() / 1000);

describe('inbound webhooks', () => {
  let harness: WorkflowHarness;
  let folder: string;

  /** POSTs a delivery signed with `secret` (or the given signature) to `/webhooks/<source>`. */
  async function deliver(
    source: string,
    body: unknown,
    options: {
      secret?: string;
      deliveryId?: string;
      timestamp?: number;
      signature?: string;
      raw?: string;
    } = {},
  ): Promise<Answer> {
    const text = options.raw ?? JSON.stringify(body);
    const timestamp = String(options.timestamp ?? nowSec());
    const secret = options.secret ?? (source === 'approvals' ? APPROVALS_SECRET : DEPLOYS_SECRET);
    const response = await fetch(`${harness.workflow.url}/webhooks/${source}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [DELIVERY_ID_HEADER]: options.deliveryId ?? randomUUID(),
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: options.signature ?? signWebhook(secret, timestamp, text),
      },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  /** Runs whose input carries this marker (a webhook start puts the body's payload there). */
  const runsMarked = (marker: string) =>
    harness.workflow.runtime.runs.countDocuments({ 'input.marker': marker });

  /** Inbound log records of a source, once `ready` holds for them. */
  const deliveriesOf = (endpoint: string, ready: (nodes: Delivery[]) => boolean) =>
    eventually(async () => {
      const result = await harness.query<{ webhookDeliveries: { nodes: Delivery[] } }>(DELIVERIES, {
        filter: { direction: 'INBOUND', endpoint },
        first: 200,
      });
      const nodes = result.data?.webhookDeliveries.nodes ?? [];
      return ready(nodes) ? nodes : undefined;
    });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'webhook-sources-'));
    const file = join(folder, 'sources.yaml');
    writeFileSync(file, SOURCES);
    harness = await startWorkflowHarness({
      WORKFLOW_WEBHOOK_SOURCES_FILE: file,
      DEPLOYS_SECRET,
      APPROVALS_SECRET,
    });
    await harness.define({
      id: 'on-push',
      version: '1.0.0',
      name: 'Started by a webhook',
      steps: [{ id: 'echo', type: 'action', action: 'test.echo', input: { value: '=input' } }],
    });
    await harness.define({
      id: 'awaits-approval',
      version: '1.0.0',
      name: 'Signalled by a webhook',
      steps: [
        {
          id: 'await',
          type: 'action',
          action: 'event.wait',
          input: { signal: 'approved', timeoutMs: 600_000 },
        },
      ],
    });
  });

  afterAll(async () => {
    await harness?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('should start a run from a correctly signed delivery and answer 202 with its id', async () => {
    const marker = randomUUID();
    const deliveryId = `push-${marker}`;
    const answer = await deliver('deploys', { payload: { marker, ref: 'main' } }, { deliveryId });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ runId: expect.any(String), deliveryId });
    const run = await harness.waitForStatus(answer.body.runId!, ['SUCCEEDED', 'FAILED']);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.outputs?.echo).toEqual({ value: { marker, ref: 'main' } });
    const [record] = await deliveriesOf('deploys', (nodes) =>
      nodes.some((node) => node.deliveryId === deliveryId),
    ).then((nodes) => nodes.filter((node) => node.deliveryId === deliveryId));
    expect(record).toMatchObject({ state: 'SUCCEEDED', runId: answer.body.runId, count: 1 });
    expect(record!.attempts).toEqual([
      { status: 202, durationMs: expect.any(Number), error: null, deliveryId: null },
    ]);
  });

  it('should signal a waiting run with the payload the source points at', async () => {
    const runId = await harness.start('awaits-approval');
    await harness.waitForStatus(runId, ['WAITING']);
    const answer = await deliver('approvals', { runId, decision: { approved: true, by: 'ci' } });
    expect(answer).toEqual({ status: 202, body: { runId, deliveryId: expect.any(String) } });
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED']);
    expect(run.outputs?.await).toEqual({ approved: true, by: 'ci' });
  });

  it('should refuse a forged signature with 401 and start nothing', async () => {
    const marker = randomUUID();
    const deliveryId = `forged-${marker}`;
    const answer = await deliver(
      'deploys',
      { payload: { marker } },
      { deliveryId, secret: 'not-the-secret-0123456789abcdef' },
    );
    expect(answer.status).toBe(401);
    expect(answer.body.errors).toEqual([
      {
        message: 'the signature does not match',
        extensions: { code: 'UNAUTHENTICATED', reason: 'BAD_SIGNATURE' },
      },
    ]);
    const malformed = await deliver('deploys', { payload: { marker } }, { signature: 'sha256=zz' });
    expect(malformed.status).toBe(401);
    expect(await runsMarked(marker)).toBe(0);
    // Refused requests are counted on a summary, the claimed id kept as an attempt.
    const nodes = await deliveriesOf('deploys', (list) =>
      list.some((node) => node.attempts.some((attempt) => attempt.deliveryId === deliveryId)),
    );
    const summary = nodes.find((node) => node.reason === 'BAD_SIGNATURE')!;
    expect(summary).toMatchObject({ state: 'REFUSED', runId: null });
    expect(summary.deliveryId).toMatch(/^refused\/BAD_SIGNATURE\/\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    expect(summary.count).toBeGreaterThanOrEqual(2);
    expect(summary.attempts).toContainEqual({
      status: 401,
      durationMs: expect.any(Number),
      error: 'BAD_SIGNATURE',
      deliveryId,
    });
  });

  it('should refuse a timestamp outside the tolerance window, either way', async () => {
    const marker = randomUUID();
    const old = await deliver(
      'deploys',
      { payload: { marker } },
      { timestamp: nowSec() - 301 - 5 },
    );
    const ahead = await deliver('deploys', { payload: { marker } }, { timestamp: nowSec() + 400 });
    for (const answer of [old, ahead]) {
      expect(answer.status).toBe(401);
      expect(answer.body.errors?.[0]?.extensions).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'STALE_TIMESTAMP',
      });
    }
    expect(await runsMarked(marker)).toBe(0);
  });

  it('should refuse a replayed delivery id, and the same signed request under a new id', async () => {
    const marker = randomUUID();
    const deliveryId = `replay-${marker}`;
    const timestamp = nowSec();
    const body = { payload: { marker } };
    const first = await deliver('deploys', body, { deliveryId, timestamp });
    expect(first.status).toBe(202);
    const again = await deliver('deploys', body, { deliveryId });
    const renamed = await deliver('deploys', body, { deliveryId: `${deliveryId}-2`, timestamp });
    for (const answer of [again, renamed]) {
      expect(answer.status).toBe(409);
      expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', reason: 'REPLAYED' });
    }
    await harness.waitForStatus(first.body.runId!, ['SUCCEEDED']);
    expect(await runsMarked(marker)).toBe(1);
    // The replay did not overwrite the record of the accepted delivery.
    const nodes = await deliveriesOf('deploys', (list) =>
      list.some((node) => node.reason === 'REPLAYED'),
    );
    expect(nodes.find((node) => node.deliveryId === deliveryId)).toMatchObject({
      state: 'SUCCEEDED',
      runId: first.body.runId,
    });
  });

  it('should answer 404 for a source that is not configured', async () => {
    const answer = await deliver('nobody', {});
    expect(answer.status).toBe(404);
    expect(answer.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
  });

  it('should refuse a body over the source limit with 413', async () => {
    const marker = randomUUID();
    const answer = await deliver('deploys', { payload: { marker, padding: 'x'.repeat(4096) } });
    expect(answer.status).toBe(413);
    expect(answer.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_REQUEST',
      reason: 'BODY_TOO_LARGE',
    });
    expect(await runsMarked(marker)).toBe(0);
  });

  it('should map a refused run command to its 4xx and record the delivery as refused', async () => {
    const deliveryId = `orphan-${randomUUID()}`;
    const answer = await deliver('orphans', { anything: true }, { deliveryId });
    expect(answer.status).toBe(404);
    expect(answer.body.errors?.[0]?.extensions).toEqual({
      code: 'NOT_FOUND',
      reason: 'RUN_REFUSED',
    });
    const [record] = await deliveriesOf('orphans', (nodes) =>
      nodes.some((node) => node.deliveryId === deliveryId),
    );
    expect(record).toMatchObject({ deliveryId, state: 'REFUSED', count: 1 });
    expect(record!.reason).toMatch(/^RUN_REFUSED: WorkflowDefinition never-defined not found/);
    // Refused after it was trusted: the sender may retry it (it is not a replay).
    const retried = await deliver('orphans', { anything: true }, { deliveryId });
    expect(retried.body.errors?.[0]?.extensions.reason).toBe('RUN_REFUSED');
  });

  it('should page the delivery log newest first with a cursor and filter by state', async () => {
    const first = await harness.query<{
      webhookDeliveries: { nodes: Delivery[]; nextCursor: string | null };
    }>(DELIVERIES, { filter: { direction: 'INBOUND' }, first: 1 });
    const second = await harness.query<{
      webhookDeliveries: { nodes: Delivery[]; nextCursor: string | null };
    }>(DELIVERIES, {
      filter: { direction: 'INBOUND' },
      first: 1,
      after: first.data!.webhookDeliveries.nextCursor,
    });
    expect(first.data!.webhookDeliveries.nodes).toHaveLength(1);
    expect(second.data!.webhookDeliveries.nodes).toHaveLength(1);
    expect(second.data!.webhookDeliveries.nodes[0]).not.toEqual(
      first.data!.webhookDeliveries.nodes[0],
    );
    const refused = await harness.query<{ webhookDeliveries: { nodes: Delivery[] } }>(DELIVERIES, {
      filter: { state: ['REFUSED'] },
    });
    const states = refused.data!.webhookDeliveries.nodes.map((node) => node.state);
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['REFUSED']));
  });
});
