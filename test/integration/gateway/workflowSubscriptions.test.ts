import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { eventually } from '../../utils/graphqlClient';
import { startTestStack, type TestStack } from '../../utils/startTestStack';
import { collect } from './fixtures/collect';
import { WORKFLOW_PROGRESS, type WorkflowProgress } from './fixtures/workflowProgress';

describe('gateway subscriptions on the real workflow subgraph', () => {
  let stack: TestStack;
  let client: Client;

  beforeAll(async () => {
    stack = await startTestStack();
    client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
  });

  afterAll(async () => {
    await client?.dispose();
    await stack?.stop();
  });

  it('should stream a pipeline run in order, with registry fields resolved through the supergraph, and complete', async () => {
    const registered = await stack.query<{ registerComponent: { component: { id: string } } }>(
      `mutation { registerComponent(input: { name: "StreamedCard", type: MOLECULE, version: "1.0.0" }) { component { id } } }`,
    );
    const componentId = registered.data!.registerComponent.component.id;
    const started = await stack.query<{ startRun: { id: string } }>(
      `mutation S($input: StartRunInput!) { startRun(input: $input) { id } }`,
      {
        input: {
          definitionId: 'component-generation-pipeline',
          input: { componentIds: [componentId] },
          idempotencyKey: `stream-${componentId}`,
        },
      },
    );
    const runId = started.data!.startRun.id;
    // after "0": every stored event from the first, then live until the terminal one.
    const sub = collect(client, WORKFLOW_PROGRESS, { runId, after: '0' });
    await sub.waitForCompletion(60_000);
    expect(sub.error).toBeUndefined();
    const events = sub.results.map((r) => (r.data as unknown as WorkflowProgress).runProgress);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events.length).toBeGreaterThan(2);
    expect(events.at(-1)?.kind).toBe('COMPLETED');
    expect(events.at(-1)?.run.components).toEqual([{ id: componentId, name: 'StreamedCard' }]);
  });

  it('should start runsChanged with the current state of the watched runs, then follow them live', async () => {
    const defined = await stack.query(
      `mutation D($d: String!) { defineWorkflow(definition: $d) { id } }`,
      {
        d: JSON.stringify({
          id: 'watched',
          version: '1.0.0',
          name: 'Watched',
          steps: [
            { id: 'review', type: 'approval', assignee: 'alice', timeoutMs: 600000 },
            { id: 'pause', type: 'action', action: 'delay', input: { ms: 10 } },
          ],
        }),
      },
    );
    expect(defined.errors).toBeUndefined();
    const started = await stack.query<{ startRun: { id: string } }>(
      `mutation { startRun(input: { definitionId: "watched" }) { id } }`,
    );
    const runId = started.data!.startRun.id;
    await eventually(async () => {
      const run = await stack.query<{ workflowRun: { status: string } }>(
        `query R($id: ID!) { workflowRun(id: $id) { status } }`,
        { id: runId },
      );
      return run.data?.workflowRun.status === 'WAITING' ? true : undefined;
    });

    const sub = collect(
      client,
      `subscription { runsChanged(filter: { definitionId: "watched" }) { runId sequence kind status } }`,
    );
    const [first] = await sub.waitFor(1);
    const snapshot = (first!.data as { runsChanged: { runId: string; sequence: number } })
      .runsChanged;
    expect(snapshot).toMatchObject({ runId, kind: 'SNAPSHOT', status: 'WAITING' });
    const approved = await stack.query(
      `mutation { approveTask(runId: "${runId}", stepId: "review", by: "alice") { id } }`,
    );
    expect(approved.errors).toBeUndefined();
    const changes = () =>
      sub.results.map(
        (r) => (r.data as { runsChanged: { sequence: number; kind: string } }).runsChanged,
      );
    await eventually(async () => (changes().at(-1)?.kind === 'COMPLETED' ? true : undefined));
    sub.unsubscribe();
    const sequences = changes().map((change) => change.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => snapshot.sequence + i));
  });
});
