import { buildSchema, parse, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createEvent } from '../../../lib/events';
import { topicNames } from '../../../lib/kafka';
import { createLogger } from '../../../lib/logging';
import {
  createMemoryEventSource,
  createSubscriptionManager,
  WORKFLOW_SUBSCRIPTION_FIELDS,
  type PreparedSubscription,
} from '../../../gateway/src/subscriptions';

const schema = buildSchema(/* GraphQL */ `
  type RunProgressEvent {
    id: ID!
    sequence: Int!
  }
  input RunFilter {
    status: [String!]
  }
  type Query {
    runProgressEvent(id: ID!): RunProgressEvent
  }
  type Subscription {
    runsChanged(filter: RunFilter): RunProgressEvent!
  }
`);
const topics = topicNames('');
const event = (sequence: number, runId = 'r1') =>
  createEvent({
    type: 'workflow.run.transitioned',
    source: 'test',
    subject: runId,
    sequence,
    data: {
      id: `${runId}:${sequence}`,
      runId,
      sequence,
      cursor: String(sequence),
      status: 'RUNNING',
    },
  });
const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

function setup() {
  const source = createMemoryEventSource();
  let executions = 0;
  const manager = createSubscriptionManager({
    fields: WORKFLOW_SUBSCRIPTION_FIELDS,
    topics,
    source,
    logger: createLogger({ name: 'test', level: 'silent' }),
    maxBufferedPerClient: 2,
    execute: async (_document, variables) => {
      executions++;
      return { data: { runsChanged: { id: variables.__eventId } } };
    },
  });
  const args: ExecutionArgs = {
    schema,
    document: parse('subscription { runsChanged(filter: { status: ["RUNNING"] }) { id } }'),
  };
  return { source, manager, args, executions: () => executions };
}

describe('createSubscriptionManager', () => {
  it('should share one feed and one execution per event between identical subscriptions', async () => {
    const { source, manager, args, executions } = setup();
    const prepared = (await manager.prepare(args, { principal: 'a' })) as PreparedSubscription;
    const first = manager.subscribe(prepared, () => undefined);
    const second = manager.subscribe(prepared, () => undefined);
    await flush();
    source.publish(topics.events('workflow'), event(1));
    await flush();
    expect(manager.activeFeeds).toBe(1);
    expect(executions()).toBe(1);
    expect((await first.next()).value).toEqual({ data: { runsChanged: { id: 'r1:1' } } });
    expect((await second.next()).value).toEqual({ data: { runsChanged: { id: 'r1:1' } } });
  });

  it('should close a slow subscriber without holding back the others', async () => {
    const { source, manager, args } = setup();
    const prepared = (await manager.prepare(args, { principal: 'a' })) as PreparedSubscription;
    let slowClosed = false;
    manager.subscribe(prepared, () => (slowClosed = true));
    const fast = manager.subscribe(prepared, () => undefined);
    await flush();
    const received: unknown[] = [];
    for (let sequence = 1; sequence <= 4; sequence++) {
      source.publish(topics.events('workflow'), event(sequence, `run-${sequence}`));
      await flush();
      received.push((await fast.next()).value);
    }
    expect(slowClosed).toBe(true);
    expect(received).toHaveLength(4);
    expect(manager.activeSubscriptions).toBe(1);
  });

  it('should refuse a subscription the authorization hook denies with FORBIDDEN', async () => {
    const { source } = setup();
    const manager = createSubscriptionManager({
      fields: WORKFLOW_SUBSCRIPTION_FIELDS,
      topics,
      source,
      logger: createLogger({ name: 'test', level: 'silent' }),
      execute: async () => ({ data: null }),
      authorize: ({ identity }) => identity.principal === 'admin',
    });
    const refused = await manager.prepare(setup().args, { principal: 'guest' });
    expect(Array.isArray(refused) && refused[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it('should first send the current state of each watched stream, then only later events', async () => {
    const source = createMemoryEventSource();
    const withSnapshots = buildSchema(/* GraphQL */ `
      type RunProgressEvent {
        id: ID!
        runId: ID!
        sequence: Int!
        cursor: String!
        status: String!
      }
      input RunFilter {
        status: [String!]
      }
      type Query {
        runProgressEvent(id: ID!): RunProgressEvent
        runsChangedSnapshot(filter: RunFilter, first: Int): [RunProgressEvent!]!
      }
      type Subscription {
        runsChanged(filter: RunFilter): RunProgressEvent!
      }
    `);
    const manager = createSubscriptionManager({
      fields: WORKFLOW_SUBSCRIPTION_FIELDS,
      topics,
      source,
      logger: createLogger({ name: 'test', level: 'silent' }),
      execute: async (document, variables) => {
        if (print(document).includes('runsChangedSnapshot')) {
          const state = (runId: string, sequence: number) => ({
            id: `${runId}:snapshot`,
            __feedStream: runId,
            __feedSequence: sequence,
            __feedCursor: String(sequence),
            __feedStatus: 'RUNNING',
          });
          return { data: { runsChanged: [state('r1', 2), state('r2', 5)] } };
        }
        return { data: { runsChanged: { id: variables.__eventId } } };
      },
    });
    const prepared = (await manager.prepare(
      { schema: withSnapshots, document: parse('subscription { runsChanged { id } }') },
      { principal: 'a' },
    )) as PreparedSubscription;
    const stream = manager.subscribe(prepared, () => undefined);
    await flush();
    for (const live of [event(2, 'r1'), event(3, 'r1'), event(5, 'r2'), event(6, 'r2')]) {
      source.publish(topics.events('workflow'), live);
    }
    await flush();
    const ids: unknown[] = [];
    for (let i = 0; i < 4; i++) ids.push(((await stream.next()).value as ExecutionResult).data);
    expect(ids).toEqual([
      { runsChanged: { id: 'r1:snapshot' } },
      { runsChanged: { id: 'r2:snapshot' } },
      { runsChanged: { id: 'r1:3' } },
      { runsChanged: { id: 'r2:6' } },
    ]);
  });
});
