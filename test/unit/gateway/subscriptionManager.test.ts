import { buildSchema, parse, type ExecutionArgs } from 'graphql';
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
});
