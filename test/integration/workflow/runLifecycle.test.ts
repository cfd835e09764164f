import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, subscribe, type ExecutionResult } from 'graphql';
import { decodeEvent } from '../../../lib/events';
import { uniqueSuffix } from '../../utils/servicesEnv';
import { loadSubgraphSdl } from '../../../lib/graphql';
import { createLogger } from '../../../lib/logging';
import { createWorkflowContext } from '../../../subgraphs/workflow/src/context';
import { resolvers } from '../../../subgraphs/workflow/src/resolvers';
import { eventually } from '../../utils/graphqlClient';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const EVENTS = /* GraphQL */ `
  query E($runId: ID!, $after: String) {
    runProgressEvents(runId: $runId, after: $after) {
      id
      sequence
      cursor
      kind
      status
      stepId
      fromStep
      toStep
      message
    }
  }
`;

interface EventView {
  id: string;
  sequence: number;
  cursor: string;
  kind: string;
  status: string;
  stepId: string | null;
  fromStep: string | null;
  toStep: string | null;
}

describe('workflow run lifecycle', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await startWorkflowHarness();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('should run the built-in pipeline to completion with transitions in order', async () => {
    const runId = await harness.start('component-generation-pipeline', {
      blueprints: ['landing'],
      components: [{ name: 'HeroBanner', type: 'ORGANISM', version: '1.0.0' }],
    });
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.transitions.map((t) => [t.from, t.to, t.status])).toEqual([
      ['blueprints', 'style', 'SUCCESS'],
      ['style', 'pages', 'SUCCESS'],
      ['pages', 'components', 'SUCCESS'],
      ['components', 'code', 'SUCCESS'],
      ['code', 'quality', 'SUCCESS'],
      ['quality', null, 'SUCCESS'],
    ]);
    // Requested (not yet registered) components are not linked; the output names them.
    expect(run.componentIds).toEqual([]);
    expect((run.outputs?.components as { requestedIds: string[] }).requestedIds).toHaveLength(1);

    const events = await harness.query<{ runProgressEvents: EventView[] }>(EVENTS, { runId });
    const list = events.data!.runProgressEvents;
    expect(list.map((e) => e.sequence)).toEqual(list.map((_e, i) => i + 1));
    expect(list[0]).toMatchObject({ kind: 'STARTED', toStep: 'blueprints' });
    expect(list[list.length - 1]).toMatchObject({ kind: 'COMPLETED', status: 'SUCCEEDED' });
    expect(list.filter((e) => e.kind === 'TRANSITIONED').map((e) => e.fromStep)).toEqual([
      'blueprints',
      'style',
      'pages',
      'components',
      'code',
      'quality',
    ]);

    const after = await harness.query<{ runProgressEvents: EventView[] }>(EVENTS, {
      runId,
      after: list[2]!.cursor,
    });
    expect(after.data!.runProgressEvents.map((e) => e.sequence)).toEqual(
      list.slice(3).map((e) => e.sequence),
    );
  });

  it('should resolve single events and the snapshot by id, as the gateway fetches them', async () => {
    const runId = await harness.start('component-generation-pipeline', {});
    await harness.waitForStatus(runId, ['SUCCEEDED']);
    const events = await harness.query<{ runProgressEvents: EventView[] }>(EVENTS, { runId });
    const third = events.data!.runProgressEvents[2]!;
    const one = await harness.query<{ runProgressEvent: EventView & { run: { id: string } } }>(
      `query O($id: ID!) { runProgressEvent(id: $id) { id sequence kind run { id } } }`,
      { id: third.id },
    );
    expect(one.data?.runProgressEvent).toEqual({
      id: third.id,
      sequence: 3,
      kind: third.kind,
      run: { id: runId },
    });
    const snapshot = await harness.query<{
      runProgressSnapshot: { kind: string; sequence: number; status: string };
    }>(`query S($runId: ID!) { runProgressSnapshot(runId: $runId) { kind sequence status } }`, {
      runId,
    });
    expect(snapshot.data?.runProgressSnapshot).toEqual({
      kind: 'SNAPSHOT',
      sequence: events.data!.runProgressEvents.length,
      status: 'SUCCEEDED',
    });
  });

  it('should stream a snapshot then every event in order from the in-process subscription', async () => {
    const schema = buildSubgraphSchema([
      { typeDefs: loadSubgraphSdl('workflow'), resolvers: resolvers as never },
    ]);
    const contextValue = createWorkflowContext(harness.workflow.runtime, {
      correlationId: 'test',
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
    const runId = await harness.start('component-generation-pipeline', {});
    const stream = (await subscribe({
      schema,
      document: parse(
        `subscription P($runId: ID!) { runProgress(runId: $runId) { sequence kind status } }`,
      ),
      variableValues: { runId },
      contextValue,
    })) as AsyncIterableIterator<
      ExecutionResult<{ runProgress: { sequence: number; kind: string; status: string } }>
    >;
    const received: { sequence: number; kind: string }[] = [];
    for await (const result of stream) received.push(result.data!.runProgress);
    expect(received[0]?.kind).toBe('SNAPSHOT');
    const rest = received.slice(1);
    expect(rest.map((e) => e.sequence)).toEqual(rest.map((_e, i) => received[0]!.sequence + i + 1));
    expect(received.at(-1)?.kind).toBe('COMPLETED');
  });

  it('should emit the progress feed to Kafka keyed by run id with id, sequence and cursor', async () => {
    const runId = await harness.start('component-generation-pipeline', {});
    await harness.waitForStatus(runId, ['SUCCEEDED']);
    const { kafka, topics } = harness.workflow.runtime.kafka;
    const consumer = kafka.consumer({ groupId: `t${uniqueSuffix()}-feed-reader` });
    const seen: { key: string; type: string; data: Record<string, unknown> }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.events('workflow')], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = decodeEvent(message) as {
          type: string;
          subject: string;
          data: Record<string, unknown>;
        };
        if (
          event.subject === runId &&
          event.type.startsWith('workflow.') &&
          event.type !== 'workflow.command.execute'
        )
          seen.push({ key: message.key!.toString(), type: event.type, data: event.data });
      },
    });
    try {
      await eventually(async () =>
        seen.some((e) => e.type === 'workflow.run.completed') ? true : undefined,
      );
    } finally {
      await consumer.disconnect();
    }
    const stored = await harness.query<{ runProgressEvents: EventView[] }>(EVENTS, { runId });
    const unique = [...new Map(seen.map((e) => [e.data.id, e])).values()];
    expect(unique.every((e) => e.key === runId)).toBe(true);
    expect(unique.map((e) => [e.data.id, e.data.sequence, e.data.cursor])).toEqual(
      stored.data!.runProgressEvents.map((e) => [e.id, e.sequence, e.cursor]),
    );
    expect(unique[0]?.type).toBe('workflow.run.started');
    expect(unique.at(-1)?.data).toMatchObject({
      runId,
      status: 'SUCCEEDED',
      definitionId: 'component-generation-pipeline',
    });
  });
});
