import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { SubscriptionCloseCode } from '../../../gateway/src/subscriptions/closeCodes';
import { collect } from './fixtures/collect';
import { startProgressFixture, type ProgressFixture } from './fixtures/progressSubgraphs';

const PADDED_PROGRESS = /* GraphQL */ `
  subscription Padded($runId: ID!) {
    runProgress(runId: $runId) {
      sequence
      padding(bytes: 262144)
    }
  }
`;

/** Events of 256 KiB each: enough to fill the kernel's socket buffers of a client that stops reading. */
const EVENTS = 160;

/** A graphql-transport-ws client on a raw socket, so the test can stop reading at TCP level. */
async function openRawSubscriber(url: string, runId: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  let received = 0;
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string };
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: PADDED_PROGRESS, variables: { runId } },
          }),
        );
      }
      if (message.type === 'next' && ++received === 1) resolve();
    });
  });
  // ws keeps its TCP socket private; pausing it is what a stalled client looks like to the server.
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  return { pause: () => tcp.pause(), resume: () => tcp.resume(), closed, received: () => received };
}

describe('gateway subscriptions with a slow subscriber', () => {
  let fixture: ProgressFixture;

  beforeAll(async () => {
    fixture = await startProgressFixture();
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  it('should close a client that stops reading with 4290 while another on the same feed gets everything', async () => {
    const gateway = await fixture.startGateway({ SUBSCRIPTION_CLIENT_BUFFER: '4' });
    const runId = `run-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    const slow = await openRawSubscriber(gateway.subscriptionsUrl, runId);
    const fast = collect(fixture.client(gateway), PADDED_PROGRESS, { runId });
    await fast.waitFor(1);
    slow.pause();
    for (let i = 0; i < EVENTS; i++) await fixture.emit(runId, 'STEP_PROGRESSED');
    await fixture.emit(runId, 'COMPLETED');
    await fast.waitForCompletion(120_000);
    slow.resume();

    expect(await slow.closed).toBe(SubscriptionCloseCode.SlowConsumer);
    expect(slow.received()).toBeLessThan(EVENTS + 2);
    const sequences = fast.results.map(
      (r) => (r.data as { runProgress: { sequence: number } }).runProgress.sequence,
    );
    expect(sequences).toEqual(Array.from({ length: EVENTS + 2 }, (_, i) => i + 1));
  });
});
