import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { collect, type Collected } from './fixtures/collect';
import { startProgressFixture, type ProgressFixture } from './fixtures/progressSubgraphs';

/**
 * Issue 12, item 1 at test size: 2,000 subscribers on one gateway over real Kafka, 1,000 on one
 * run and 10 on each of 100 runs, one WebSocket each. Every one must receive its snapshot, every
 * event of its run in order (contiguous sequence) and its completion; no close codes, no error
 * frames. No wall-time assertions: the waits are conditions with generous deadlines, so the test
 * holds on a loaded machine (load average 10). The figures at 10,000 are bench/subscriptions/run.ts.
 */
const HOT_SUBSCRIBERS = 1_000;
const RUNS = 100;
const PER_RUN = 10;
const WAVES = 3;
/** Subscribers connecting at once (the next batch starts when this one is connected or failed). */
const BATCH = 250;
const CONNECT_DEADLINE_MS = 240_000;
const DELIVERY_DEADLINE_MS = 300_000;

const RUN_PROGRESS = /* GraphQL */ `
  subscription Progress($runId: ID!) {
    runProgress(runId: $runId) {
      sequence
      kind
      run {
        id
        label
      }
    }
  }
`;

interface Progress {
  runProgress: { sequence: number; kind: string; run: { id: string; label: string } };
}

interface Subscriber {
  runId: string;
  client: Client;
  sub: Collected;
  connected: boolean;
  closeCode?: number;
}

/** Waits (polling) until `done()` or the deadline; never fails by itself, the assertions do. */
async function waitUntil(done: () => boolean, deadline: number) {
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

const progressOf = (s: Subscriber) =>
  s.sub.results.flatMap((r) => {
    const event = (r.data as Progress | null | undefined)?.runProgress;
    return event ? [event] : [];
  });

const errorText = (error: unknown) =>
  error && typeof error === 'object' && 'code' in error
    ? `close ${String((error as { code: unknown }).code)} ${String((error as { reason?: unknown }).reason ?? '')}`.trim()
    : JSON.stringify(error).slice(0, 200);

/** What went wrong across subscribers, grouped, so a failure reads as a diagnosis. */
function summarize(subscribers: Subscriber[], lastSequence: (runId: string) => number) {
  const count = (values: string[]) =>
    values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
  const bad: Subscriber[] = [];
  for (const s of subscribers) {
    const progress = progressOf(s);
    const expected = Array.from({ length: lastSequence(s.runId) }, (_, i) => i + 1);
    const ok =
      s.sub.completed &&
      !s.sub.error &&
      s.sub.results.every((r) => !r.errors) &&
      progress[0]?.kind === 'SNAPSHOT' &&
      progress.at(-1)?.kind === 'COMPLETED' &&
      JSON.stringify(progress.map((p) => p.sequence)) === JSON.stringify(expected) &&
      progress.every((p) => p.run.label === `label of ${s.runId}`);
    if (!ok) bad.push(s);
  }
  return {
    subscribers: subscribers.length,
    allGood: subscribers.length - bad.length,
    withSnapshot: subscribers.filter((s) => progressOf(s)[0]?.kind === 'SNAPSHOT').length,
    completed: subscribers.filter((s) => s.sub.completed).length,
    closeCodes: count(bad.flatMap((s) => (s.closeCode === undefined ? [] : [String(s.closeCode)]))),
    errors: count(bad.flatMap((s) => (s.sub.error ? [errorText(s.sub.error)] : []))),
    errorResults: count(
      bad.flatMap((s) => s.sub.results.flatMap((r) => (r.errors ?? []).map((e) => e.message))),
    ),
    firstBad: bad.slice(0, 3).map((s) => ({
      runId: s.runId,
      sequences: progressOf(s).map((p) => p.sequence),
      completed: s.sub.completed,
    })),
  };
}

describe('gateway subscriptions at scale', () => {
  let fixture: ProgressFixture;
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    fixture = await startProgressFixture();
  });

  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    await fixture?.stop();
  });

  it(
    'should give each of 2,000 subscribers (1,000 on one run, 10 on each of 100 runs) its snapshot, every event in order and its completion',
    async () => {
      const gateway = fixture.gateways[0]!;
      const hot = `hot-${randomUUID()}`;
      const cold = Array.from({ length: RUNS }, (_, i) => `cold-${i}-${randomUUID()}`);
      const runs = [hot, ...cold];
      for (const runId of runs) await fixture.emit(runId, 'STARTED');
      const lastSequence = new Map(runs.map((runId) => [runId, 1]));

      const plan = [
        ...Array<string>(HOT_SUBSCRIBERS).fill(hot),
        ...cold.flatMap((runId) => Array<string>(PER_RUN).fill(runId)),
      ];
      const connectDeadline = Date.now() + CONNECT_DEADLINE_MS;
      for (let i = 0; i < plan.length; i += BATCH) {
        const batch = plan.slice(i, i + BATCH).map((runId) => {
          const subscriber = { runId, connected: false } as Subscriber;
          subscriber.client = createClient({
            url: gateway.subscriptionsUrl,
            webSocketImpl: WebSocket,
            retryAttempts: 0,
            on: {
              connected: () => (subscriber.connected = true),
              closed: (event) => {
                const code = (event as { code?: number }).code;
                if (!subscriber.sub.completed && code !== undefined) subscriber.closeCode = code;
              },
            },
          });
          subscriber.sub = collect(subscriber.client, RUN_PROGRESS, { runId });
          return subscriber;
        });
        subscribers.push(...batch);
        await waitUntil(
          () =>
            batch.every(
              (s) =>
                s.connected ||
                s.closeCode !== undefined ||
                s.sub.error !== undefined ||
                s.sub.completed,
            ),
          connectDeadline,
        );
      }
      await waitUntil(
        () =>
          subscribers.every(
            (s) => s.sub.results.length > 0 || s.sub.error !== undefined || s.sub.completed,
          ),
        connectDeadline,
      );

      for (let wave = 0; wave < WAVES; wave++) {
        for (const runId of runs) {
          await fixture.emit(runId, 'STEP_PROGRESSED');
          lastSequence.set(runId, lastSequence.get(runId)! + 1);
        }
      }
      for (const runId of runs) {
        await fixture.emit(runId, 'COMPLETED');
        lastSequence.set(runId, lastSequence.get(runId)! + 1);
      }
      await waitUntil(
        () => subscribers.every((s) => s.sub.completed || s.sub.error !== undefined),
        Date.now() + DELIVERY_DEADLINE_MS,
      );

      const summary = summarize(subscribers, (runId) => lastSequence.get(runId)!);
      expect(summary).toEqual({
        subscribers: HOT_SUBSCRIBERS + RUNS * PER_RUN,
        allGood: HOT_SUBSCRIBERS + RUNS * PER_RUN,
        withSnapshot: HOT_SUBSCRIBERS + RUNS * PER_RUN,
        completed: HOT_SUBSCRIBERS + RUNS * PER_RUN,
        closeCodes: {},
        errors: {},
        errorResults: {},
        firstBad: [],
      });
    },
    (CONNECT_DEADLINE_MS + DELIVERY_DEADLINE_MS) * 1.5,
  );
});
