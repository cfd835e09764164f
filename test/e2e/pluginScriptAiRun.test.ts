import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { REPO_ROOT } from '../../lib/graphql';
import { collect, type Collected } from '../integration/gateway/fixtures/collect';
import { eventually } from '../utils/graphqlClient';
import { startFakeAiProvider, type FakeAiProvider } from '../utils/startFakeAiProvider';
import { startTestStack, type TestStack } from '../utils/startTestStack';

/** The three actions under test; `gate` only holds the run until the subscriber is listening. */
const STEP_IDS = ['analyse', 'enhance', 'slugify'] as const;

const SPECS_SCHEMA = {
  type: 'object',
  required: ['components'],
  properties: {
    components: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'type', 'level', 'props', 'variants'],
        properties: {
          name: { type: 'string', minLength: 1 },
          type: { type: 'string' },
          level: { enum: ['ATOM', 'MOLECULE', 'ORGANISM', 'TEMPLATE', 'PAGE'] },
          props: { type: 'array' },
          variants: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

const DEFINITION = {
  id: 'plugin-script-ai',
  version: '1.0.0',
  name: 'Script analyses, AI enhances, plugin slugifies',
  steps: [
    // Without it the run could pass its first steps before the subscription's snapshot.
    { id: 'gate', type: 'action', action: 'event.wait', input: { signal: 'go' } },
    {
      id: 'analyse',
      type: 'action',
      action: 'script.run',
      timeoutMs: 60_000,
      input: {
        runtime: 'python',
        script: 'design_analyser.py',
        input: { design: '=input.design' },
        outputSchema: { type: 'object', required: ['components'] },
      },
    },
    {
      id: 'enhance',
      type: 'action',
      action: 'ai.complete',
      input: {
        provider: 'anthropic',
        system: 'You review UI component specifications. Answer with JSON only.',
        prompt: "='Improve these component specs: ' & $string(outputs.analyse.components)",
        validate: SPECS_SCHEMA,
        validateAttempts: 1,
      },
    },
    {
      id: 'slugify',
      type: 'action',
      action: 'example-text.slugify',
      timeoutMs: 30_000,
      // `[]` keeps a one-component answer an array.
      input: { names: '=outputs.enhance.json.components.name[]' },
    },
  ],
};

/** What the fake Anthropic answers: valid specs, names chosen so their slugs differ from them. */
const ENHANCED = [
  { name: 'Primary Button', type: 'button', level: 'ATOM', props: [], variants: ['loading'] },
  { name: 'Feature Card', type: 'card', level: 'MOLECULE', props: [], variants: ['raised'] },
  { name: 'EmailInput', type: 'input', level: 'ATOM', props: [], variants: ['error'] },
];
const EXPECTED_SLUGS = ['primary-button', 'feature-card', 'emailinput'];

const RUN_STATE = /* GraphQL */ `
  query Run($id: ID!) {
    workflowRun(id: $id) {
      status
      error
      outputs
      steps {
        stepId
        status
      }
    }
    plugins {
      name
      status
      counters {
        executions
        failures
      }
    }
  }
`;

const PROGRESS = /* GraphQL */ `
  subscription Progress($runId: ID!) {
    runProgress(runId: $runId) {
      sequence
      kind
      status
      stepId
      fromStep
      toStep
      message
    }
  }
`;

interface ProgressEvent {
  sequence: number;
  kind: string;
  status: string;
  stepId: string | null;
  fromStep: string | null;
  toStep: string | null;
  message: string | null;
}

interface RunState {
  workflowRun: {
    status: string;
    error: string | null;
    outputs: Record<string, { components?: unknown[]; slugs?: string[] }>;
    steps: { stepId: string; status: string }[];
  };
  plugins: { name: string; status: string; counters: { executions: number; failures: number } }[];
}

describe('a run through the gateway with a plugin, a script and an AI action', () => {
  let fake: FakeAiProvider;
  let stack: TestStack;
  let client: Client;
  let progress: Collected | undefined;
  const settingsDir = mkdtempSync(join(tmpdir(), 'plugin-script-ai-'));

  beforeAll(async () => {
    fake = await startFakeAiProvider();
    // The workflow role reads its plugins from a settings file: only the example plugin.
    const settingsFile = join(settingsDir, 'plugins.json');
    const examplePlugin = {
      path: join(REPO_ROOT, 'plugins', 'example-text'),
      config: {},
      grant: { http: { hosts: ['127.0.0.1'] } },
    };
    writeFileSync(settingsFile, JSON.stringify({ plugins: [examplePlugin] }));
    stack = await startTestStack({
      WORKFLOW_PLUGINS_FILE: settingsFile,
      ANTHROPIC_API_KEY: 'sk-ant-e2e',
      ANTHROPIC_MODEL: 'claude-e2e',
      ANTHROPIC_BASE_URL: fake.baseUrl,
      WORKFLOW_AI_REQUEST_TIMEOUT_MS: '30000',
    });
    client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
  }, 240_000);

  afterAll(async () => {
    progress?.unsubscribe();
    await client?.dispose();
    await stack?.stop();
    await fake?.stop();
    rmSync(settingsDir, { recursive: true, force: true });
  }, 120_000);

  it('should stream the progress of all three steps and end with the plugin slugs of the AI names', async () => {
    const defined = await stack.query(
      `mutation D($d: String!) { defineWorkflow(definition: $d) { id } }`,
      { d: JSON.stringify(DEFINITION) },
    );
    expect(defined.errors).toBeUndefined();
    fake.reply({ text: JSON.stringify({ components: ENHANCED }) });

    const design = JSON.parse(
      readFileSync(join(REPO_ROOT, 'workers/designs/landing-page.design.json'), 'utf8'),
    ) as object;
    const started = await stack.query<{ startRun: { id: string } }>(
      `mutation S($i: StartRunInput!) { startRun(input: $i) { id } }`,
      { i: { definitionId: DEFINITION.id, input: { design } } },
    );
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startRun.id;

    // No `after`: the stream begins with the SNAPSHOT of the run's state.
    progress = collect(client, PROGRESS, { runId });
    const events = () =>
      progress!.results.map((r) => (r.data as { runProgress: ProgressEvent }).runProgress);
    // Released only once the subscriber has seen the run wait at the gate.
    await eventually(async () => (events().some((e) => e.status === 'WAITING') ? true : undefined));
    const signalled = await stack.query(
      `mutation G($id: ID!) { signalRun(runId: $id, name: "go") { id } }`,
      { id: runId },
    );
    expect(signalled.errors).toBeUndefined();
    await progress.waitForCompletion(180_000);

    expect(progress.error).toBeUndefined();
    const received = events();
    const first = received[0]!;
    expect(first.kind).toBe('SNAPSHOT');
    expect(received.map((e) => e.sequence)).toEqual(received.map((_, i) => first.sequence + i));
    // Every event of the three steps, in order: each one's transition into it and out of it.
    const stepEvents = received
      .filter((e) => STEP_IDS.some((id) => [e.stepId, e.fromStep, e.toStep].includes(id)))
      .map((e) => [e.kind, e.stepId ?? e.fromStep, e.toStep, e.message]);
    expect(stepEvents).toEqual([
      ['TRANSITIONED', 'gate', 'analyse', 'success'],
      ['STEP_PROGRESSED', 'analyse', null, 'started (attempt 1)'],
      ['TRANSITIONED', 'analyse', 'enhance', 'success'],
      ['STEP_PROGRESSED', 'enhance', null, 'started (attempt 1)'],
      ['TRANSITIONED', 'enhance', 'slugify', 'success'],
      ['STEP_PROGRESSED', 'slugify', null, 'started (attempt 1)'],
      ['TRANSITIONED', 'slugify', null, 'success'],
    ]);
    expect(received.at(-1)).toMatchObject({ kind: 'COMPLETED', status: 'SUCCEEDED' });

    const state = await stack.query<RunState>(RUN_STATE, { id: runId });
    expect(state.errors).toBeUndefined();
    const { workflowRun, plugins } = state.data!;
    expect(workflowRun).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(workflowRun.steps.map((s) => [s.stepId, s.status])).toEqual(
      ['gate', ...STEP_IDS].map((id) => [id, 'SUCCEEDED']),
    );
    expect(workflowRun.outputs.slugify).toEqual({ slugs: EXPECTED_SLUGS });

    // One completion, well formed, whose prompt carries the script's specs.
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request).toMatchObject({ api: 'anthropic', model: 'claude-e2e', problems: [] });
    expect(request.headers['x-api-key']).toBe('sk-ant-e2e');
    const scriptComponents = workflowRun.outputs.analyse!.components!;
    expect(scriptComponents.length).toBeGreaterThan(0);
    expect(request.prompt).toContain(
      `Improve these component specs: ${JSON.stringify(scriptComponents)}`,
    );

    const example = plugins.find((plugin) => plugin.name === 'example-text');
    expect(example).toMatchObject({ status: 'ACTIVE', counters: { failures: 0 } });
    expect(example!.counters.executions).toBeGreaterThanOrEqual(1);
  });
});
