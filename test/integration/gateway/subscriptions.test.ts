import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { eventually, postGraphQL } from '../../utils/graphqlClient';
import { collect } from './fixtures/collect';
import { startProgressFixture, type ProgressFixture } from './fixtures/progressSubgraphs';

const RUN_PROGRESS = /* GraphQL */ `
  subscription Progress($runId: ID!, $after: String) {
    runProgress(runId: $runId, after: $after) {
      sequence
      cursor
      kind
      run {
        id
        label
      }
    }
  }
`;

interface Progress {
  runProgress: {
    sequence: number;
    cursor: string;
    kind: string;
    run: { id: string; label: string };
  };
}

const progressOf = (results: { data?: unknown }[]) =>
  results.map((r) => (r.data as Progress).runProgress);

describe('gateway subscriptions', () => {
  let fixture: ProgressFixture;

  beforeAll(async () => {
    fixture = await startProgressFixture();
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  it('should deliver the snapshot then every transition in order with a cross-subgraph field, once each, and complete', async () => {
    const runId = `run-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED', 'blueprints');
    const sub = collect(fixture.client(), RUN_PROGRESS, { runId });
    await sub.waitFor(1);
    const second = await fixture.emit(runId, 'TRANSITIONED', 'style');
    await fixture.emit(runId, 'STEP_PROGRESSED', 'style');
    await fixture.republish(second);
    await fixture.emit(runId, 'COMPLETED');
    await sub.waitForCompletion();
    const progress = progressOf(sub.results);
    expect(progress.map((p) => [p.sequence, p.kind])).toEqual([
      [1, 'SNAPSHOT'],
      [2, 'TRANSITIONED'],
      [3, 'STEP_PROGRESSED'],
      [4, 'COMPLETED'],
    ]);
    expect(progress.every((p) => p.run.label === `label of ${runId}`)).toBe(true);
  });

  it('should replay exactly the missed events when resuming with after, then go live', async () => {
    const runId = `run-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    const first = collect(fixture.client(), RUN_PROGRESS, { runId });
    await first.waitFor(1);
    await fixture.emit(runId, 'TRANSITIONED', 'style');
    const seen = progressOf(await first.waitFor(2));
    first.unsubscribe();
    await fixture.emit(runId, 'TRANSITIONED', 'pages');
    await fixture.emit(runId, 'TRANSITIONED', 'components');

    const resumed = collect(fixture.client(), RUN_PROGRESS, { runId, after: seen[1]?.cursor });
    await resumed.waitFor(2);
    await fixture.emit(runId, 'COMPLETED');
    await resumed.waitForCompletion();
    expect(progressOf(resumed.results).map((p) => [p.sequence, p.kind])).toEqual([
      [3, 'TRANSITIONED'],
      [4, 'TRANSITIONED'],
      [5, 'COMPLETED'],
    ]);
  });

  it('should send a finished run its final state only, then complete', async () => {
    const runId = `run-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    await fixture.emit(runId, 'COMPLETED');
    const sub = collect(fixture.client(), RUN_PROGRESS, { runId });
    await sub.waitForCompletion();
    expect(progressOf(sub.results).map((p) => [p.sequence, p.kind])).toEqual([[2, 'SNAPSHOT']]);
  });

  it('should answer NOT_FOUND for a run that does not exist', async () => {
    const sub = collect(fixture.client(), RUN_PROGRESS, { runId: `run-${randomUUID()}` });
    const [result] = await sub.waitFor(1);
    expect(result?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await sub.waitForCompletion();
  });

  it('should deliver an event to subscribers on two gateways', async () => {
    const second = await fixture.startGateway();
    const runId = `run-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    const onFirst = collect(fixture.client(), RUN_PROGRESS, { runId });
    const onSecond = collect(fixture.client(second), RUN_PROGRESS, { runId });
    await Promise.all([onFirst.waitFor(1), onSecond.waitFor(1)]);
    await fixture.emit(runId, 'TRANSITIONED', 'style');
    await fixture.emit(runId, 'COMPLETED');
    await Promise.all([onFirst.waitForCompletion(), onSecond.waitForCompletion()]);
    for (const sub of [onFirst, onSecond]) {
      expect(progressOf(sub.results).map((p) => p.sequence)).toEqual([1, 2, 3]);
    }
  });

  it('should keep an open subscription across a supergraph hot reload', async () => {
    const runId = `run-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    const sub = collect(fixture.client(), RUN_PROGRESS, { runId });
    await sub.waitFor(1);
    const gateway = fixture.gateways[0]!;
    const noteQuery = `{ runProgressEvent(id: "${runId}:1") { note } }`;
    expect((await postGraphQL(gateway.graphqlUrl, noteQuery)).errors).toBeDefined();
    fixture.reloadSupergraph();
    const reloaded = await eventually(async () => {
      const response = await postGraphQL(gateway.graphqlUrl, noteQuery);
      return response.data ? response : undefined;
    });
    expect(reloaded.data).toEqual({ runProgressEvent: { note: 'reloaded' } });
    await fixture.emit(runId, 'COMPLETED');
    await sub.waitForCompletion();
    expect(progressOf(sub.results).map((p) => p.sequence)).toEqual([1, 2]);
  });

  it('should report readiness and active subscriptions on /ready and /metrics', async () => {
    const gateway = fixture.gateways[0]!;
    const runId = `run-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    const sub = collect(fixture.client(), RUN_PROGRESS, { runId });
    await sub.waitFor(1);
    const ready = await fetch(`${gateway.url}/ready`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_active_subscriptions [1-9]/);
    sub.unsubscribe();
  });

  it('should close subscribers with 1001 (going away) on graceful shutdown', async () => {
    const leaving = await fixture.startGateway();
    const runId = `run-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    let closeCode: number | undefined;
    const client = createClient({
      url: leaving.subscriptionsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      on: { closed: (event) => (closeCode = (event as { code: number }).code) },
    });
    const sub = collect(client, RUN_PROGRESS, { runId });
    await sub.waitFor(1);
    fixture.gateways.splice(fixture.gateways.indexOf(leaving), 1);
    await leaving.stop();
    const code = await eventually(async () => closeCode);
    expect(code).toBe(1001);
    await client.dispose();
  });

  it('should refuse a subscription that does not validate against the supergraph', async () => {
    const sub = collect(fixture.client(), 'subscription { runProgress(runId: "x") { nope } }');
    await expect(sub.waitFor(1, 5_000)).rejects.toThrow(/Cannot query field .{0,2}"?nope/);
  });
});
