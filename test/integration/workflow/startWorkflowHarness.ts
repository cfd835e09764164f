import { createLogger } from '../../../lib/logging';
import {
  startWorkflow,
  workflowOptionsFromEnv,
  type ActionHandler,
  type RunningWorkflow,
  type WorkflowEngine,
} from '../../../subgraphs/workflow/src';
import { eventually, postGraphQL, type GraphQLResponse } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';

/** A workflow role on real Kafka and MongoDB (random names), with a GraphQL client on the subgraph. */
export interface WorkflowHarness {
  workflow: RunningWorkflow;
  query<D = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<D>>;
  /** Starts another engine instance in the same consumer group. */
  addEngine(): Promise<WorkflowEngine>;
  /** Kills an added engine instance (as if its process died). */
  killEngine(instanceId: string): Promise<void>;
  /** Defines a workflow from an object (as JSON) and fails the test on errors. */
  define(definition: object): Promise<void>;
  /** Starts a run and returns its id. */
  start(definitionId: string, input?: unknown): Promise<string>;
  /** Waits until the run has one of the statuses and returns it. */
  waitForStatus(runId: string, statuses: string[], timeoutMs?: number): Promise<RunView>;
  stop(): Promise<void>;
}

/** The run fields the tests read. */
export interface RunView {
  id: string;
  status: string;
  error: string | null;
  outputs: Record<string, unknown> | null;
  componentIds: string[];
  steps: { stepId: string; status: string; attempts: number }[];
  transitions: { from: string | null; to: string | null; status: string; durationMs: number }[];
  pendingTask: { stepId: string; assignee: string } | null;
}

const RUN = /* GraphQL */ `
  query Run($id: ID!) {
    workflowRun(id: $id) {
      id
      status
      error
      outputs
      components {
        id
      }
      steps {
        stepId
        status
        attempts
      }
      transitions {
        from
        to
        status
        durationMs
      }
      pendingTask {
        stepId
        assignee
      }
    }
  }
`;

/** Starts the workflow role (engine included unless `WORKFLOW_ENGINE_ENABLED=false`). */
export async function startWorkflowHarness(
  overrides: Record<string, string> = {},
  actions: ActionHandler[] = [],
): Promise<WorkflowHarness> {
  const options = workflowOptionsFromEnv(
    testEnv({
      WORKFLOW_TEST_ACTIONS: 'true',
      WORKFLOW_TIMER_INTERVAL_MS: '100',
      WORKFLOW_SCHEDULE_INTERVAL_MS: '200',
      ...overrides,
    }),
  );
  const logger = createLogger({ name: 'workflow-test', level: options.platform.logLevel });
  const workflow = await startWorkflow(options, logger, { actions });
  const engines: WorkflowEngine[] = [];
  const query: WorkflowHarness['query'] = (q, variables) =>
    postGraphQL(workflow.graphqlUrl, q, variables);
  const harness: WorkflowHarness = {
    workflow,
    query,
    async addEngine() {
      const engine = workflow.runtime.createEngine();
      await engine.start();
      engines.push(engine);
      return engine;
    },
    async killEngine(instanceId) {
      const index = engines.findIndex((engine) => engine.instanceId === instanceId);
      if (index < 0) throw new Error(`no engine ${instanceId}`);
      const [engine] = engines.splice(index, 1);
      await engine!.kill();
    },
    async define(definition) {
      const result = await query(
        `mutation D($d: String!) { defineWorkflow(definition: $d) { id version } }`,
        { d: JSON.stringify(definition) },
      );
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    },
    async start(definitionId, input = {}) {
      const result = await query<{ startRun: { id: string } }>(
        `mutation S($i: StartRunInput!) { startRun(input: $i) { id } }`,
        { i: { definitionId, input } },
      );
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!.startRun.id;
    },
    waitForStatus(runId, statuses, timeoutMs = 30_000) {
      return eventually(async () => {
        const result = await query<{ workflowRun: RunView & { components: { id: string }[] } }>(
          RUN,
          { id: runId },
        );
        const run = result.data?.workflowRun;
        if (!run || !statuses.includes(run.status)) return undefined;
        return { ...run, componentIds: run.components.map((c) => c.id) };
      }, timeoutMs);
    },
    async stop() {
      for (const engine of engines) await engine.stop().catch(() => undefined);
      await workflow.stop();
    },
  };
  return harness;
}
