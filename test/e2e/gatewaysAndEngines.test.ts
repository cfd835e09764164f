import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startGateway, type RunningGateway } from '../../gateway/src';
import { createLogger } from '../../lib/logging';
import { startStack, stackOptionsFromEnv, type RunningStack } from '../../stack/src';
import {
  startWorkflow,
  type ActionHandler,
  type RunningWorkflow,
} from '../../subgraphs/workflow/src';
import { collect, type Collected } from '../integration/gateway/fixtures/collect';
import { postGraphQL } from '../utils/graphqlClient';
import { testEnv } from '../utils/servicesEnv';
import {
  WORKFLOW_PROGRESS,
  type WorkflowProgress,
} from '../integration/gateway/fixtures/workflowProgress';

/** Engine instances that executed a step of each run (from the engine's logger bindings). */
const executedBy = new Map<string, Set<string>>();

const whereAction: ActionHandler = {
  name: 'test.where',
  description: 'TEST ONLY: records the engine instance executing it, then waits `ms`.',
  inputSchema: { type: 'object', properties: { ms: { type: 'integer' } } },
  outputSchema: { type: 'object' },
  async run(input, ctx) {
    const instanceId = String((ctx.logger.bindings() as { instanceId?: string }).instanceId);
    executedBy.set(ctx.runId, (executedBy.get(ctx.runId) ?? new Set()).add(instanceId));
    await new Promise((resolve) => setTimeout(resolve, Number(input.ms ?? 0)));
    return { instanceId };
  },
};

const step = (id: string) => ({ id, type: 'action', action: 'test.where', input: { ms: 50 } });

/** Runs started at once: enough that both engines' partitions get some (each has half). */
const RUNS = 12;

describe('two gateways and two engines', () => {
  let stack: RunningStack;
  let secondWorkflow: RunningWorkflow;
  let secondGateway: RunningGateway;
  const clients: Client[] = [];

  beforeAll(async () => {
    const options = stackOptionsFromEnv(testEnv());
    const extras = { actions: [whereAction] };
    stack = await startStack({ ...options, workflowExtras: extras });
    const logger = createLogger({ name: 'second', level: options.workflow.platform.logLevel });
    // Same database and engine consumer group as the stack's workflow role: a second instance.
    secondWorkflow = await startWorkflow(options.workflow, logger, extras);
    secondGateway = await startGateway({
      ...options.gateway,
      subgraphUrls: { ...stack.subgraphUrls, workflow: secondWorkflow.graphqlUrl },
    });
    for (const url of [stack.gatewayUrl, secondGateway.graphqlUrl]) {
      clients.push(
        createClient({
          url: url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          retryAttempts: 0,
        }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await secondGateway?.stop();
    await secondWorkflow?.stop();
    await stack?.stop();
  });

  it('should stream every run, whichever engine drives it, to subscribers on either gateway', async () => {
    const gateways = [stack.gatewayUrl, secondGateway.graphqlUrl];
    const registered = await postGraphQL<{ registerComponent: { component: { id: string } } }>(
      gateways[0]!,
      `mutation { registerComponent(input: { name: "SharedCard", type: MOLECULE, version: "1.0.0" }) { component { id } } }`,
    );
    const componentId = registered.data!.registerComponent.component.id;
    const defined = await postGraphQL(
      gateways[1]!,
      `mutation D($d: String!) { defineWorkflow(definition: $d) { id } }`,
      {
        d: JSON.stringify({
          id: 'two-by-two',
          version: '1.0.0',
          name: 'Two by two',
          steps: [
            {
              id: 'link',
              type: 'action',
              action: 'component.register',
              input: { componentIds: '=input.componentIds[]' },
              idempotent: true,
            },
            step('a'),
            step('b'),
            step('c'),
          ],
        }),
      },
    );
    expect(defined.errors).toBeUndefined();

    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = await postGraphQL<{ startRun: { id: string } }>(
        gateways[i % 2]!,
        `mutation S($i: StartRunInput!) { startRun(input: $i) { id } }`,
        { i: { definitionId: 'two-by-two', input: { componentIds: [componentId] } } },
      );
      expect(started.errors).toBeUndefined();
      runIds.push(started.data!.startRun.id);
    }
    // Every run watched from both gateways.
    const subscriptions: [string, Collected][] = runIds.flatMap((runId) =>
      clients.map(
        (client) => [runId, collect(client, WORKFLOW_PROGRESS, { runId })] as [string, Collected],
      ),
    );
    await Promise.all(subscriptions.map(([, sub]) => sub.waitForCompletion(90_000)));

    for (const [runId, sub] of subscriptions) {
      expect(sub.error).toBeUndefined();
      const events = sub.results.map((r) => (r.data as unknown as WorkflowProgress).runProgress);
      const first = events[0]!;
      // The first message is the state at subscription time; then every later event, in order.
      expect(first.kind).toBe('SNAPSHOT');
      expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => first.sequence + i));
      expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', run: { id: runId } });
      expect(events.at(-1)!.run.components).toEqual([{ id: componentId, name: 'SharedCard' }]);
    }
    const engines = new Set(runIds.flatMap((runId) => [...(executedBy.get(runId) ?? [])]));
    expect(engines.size).toBe(2);
  });
});
