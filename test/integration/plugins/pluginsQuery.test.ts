import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../lib/graphql';
import { startWorkflowHarness, type WorkflowHarness } from '../workflow/startWorkflowHarness';

const EXAMPLE = join(REPO_ROOT, 'plugins', 'example-text');
const ESCAPE = join(REPO_ROOT, 'test', 'fixtures', 'plugins', 'escape');
const FUTURE_API = join(REPO_ROOT, 'test', 'fixtures', 'plugins', 'future-api');

const PLUGINS = /* GraphQL */ `
  query Plugins {
    plugins {
      name
      version
      source
      status
      reason
      apiVersion
      actions {
        name
        description
        inputSchema
        outputSchema
        timeoutMs
      }
      allowedHosts
      limits {
        memoryMb
        rssMb
        timeoutMs
      }
      counters {
        executions
        failures
        timeouts
        restarts
        meanDurationMs
        lastError
      }
    }
  }
`;

interface PluginView {
  name: string;
  version: string | null;
  source: string;
  status: string;
  reason: string | null;
  apiVersion: string | null;
  actions: {
    name: string;
    description: string;
    inputSchema: Record<string, unknown>;
    outputSchema: Record<string, unknown>;
    timeoutMs: number;
  }[];
  allowedHosts: string[];
  limits: { memoryMb: number; rssMb: number; timeoutMs: number } | null;
  counters: {
    executions: number;
    failures: number;
    timeouts: number;
    restarts: number;
    meanDurationMs: number | null;
    lastError: string | null;
  };
}

// The documented definition format (docs/workflow.md), as YAML text: one step using the plugin.
const DEFINITION = `
id: plugin-slugs
version: 1.0.0
name: Slugs from a plugin
steps:
  - id: slug
    type: action
    action: example-text.slugify
    input: { names: '=input.names' }
`;

describe('the plugins query and a plugin action in a workflow run', () => {
  let harness: WorkflowHarness;
  let settingsFolder: string;

  beforeAll(async () => {
    settingsFolder = mkdtempSync(join(tmpdir(), 'plugins-query-'));
    const settingsFile = join(settingsFolder, 'plugins.yaml');
    writeFileSync(
      settingsFile,
      [
        'plugins:',
        `  - path: ${JSON.stringify(EXAMPLE)}`,
        '    config: { prefix: ds- }',
        "    grant: { http: { hosts: ['127.0.0.1'] } }",
        '    limits: { memoryMb: 64, timeoutMs: 10000 }',
        `  - path: ${JSON.stringify(ESCAPE)}`,
        "    grant: { http: { hosts: ['localhost:1'] } }",
        `  - path: ${JSON.stringify(FUTURE_API)}`,
      ].join('\n'),
    );
    harness = await startWorkflowHarness({ WORKFLOW_PLUGINS_FILE: settingsFile });
  });

  afterAll(async () => {
    await harness?.stop();
    rmSync(settingsFolder, { recursive: true, force: true });
  });

  const listPlugins = async () => {
    const result = await harness.query<{ plugins: PluginView[] }>(PLUGINS);
    expect(result.errors).toBeUndefined();
    return result.data!.plugins;
  };
  /** `workflow_plugin_executions_total` of slugify's successes on the role's /metrics (0 before any). */
  const slugifyMetric = async () => {
    const text = await (await fetch(`${harness.workflow.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (candidate) =>
          candidate.startsWith('workflow_plugin_executions_total{') &&
          candidate.includes('plugin="example-text"') &&
          candidate.includes('action="slugify"') &&
          candidate.includes('outcome="ok"'),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const pluginNamed = async (name: string) => {
    const plugin = (await listPlugins()).find((candidate) => candidate.name === name);
    if (!plugin) throw new Error(`no plugin ${name} listed`);
    return plugin;
  };

  it('should list the loaded plugins first, then the refused one', async () => {
    const plugins = await listPlugins();
    expect(plugins.map((plugin) => [plugin.name, plugin.status])).toEqual([
      ['example-text', 'ACTIVE'],
      ['escape', 'ACTIVE'],
      ['future-api', 'REFUSED'],
    ]);
  });

  it('should describe the example plugin: version, actions with schemas, hosts and limits', async () => {
    const example = await pluginNamed('example-text');
    expect(example).toMatchObject({
      version: '1.0.0',
      source: EXAMPLE,
      status: 'ACTIVE',
      reason: null,
      apiVersion: '^1.0.0',
      allowedHosts: ['127.0.0.1'],
      // The resident ceiling follows the heap's (64 + 128) when the settings leave it out.
      limits: { memoryMb: 64, rssMb: 192, timeoutMs: 10_000 },
    });
    const actions = Object.fromEntries(example.actions.map((action) => [action.name, action]));
    expect(Object.keys(actions).sort()).toEqual(['example-text.checkDocs', 'example-text.slugify']);
    // slugify's own 5 s stays under the plugin's 10 s; checkDocs takes the plugin's.
    expect(actions['example-text.slugify']).toMatchObject({
      description: expect.stringMatching(/slugs/),
      timeoutMs: 5000,
      inputSchema: { required: ['names'] },
      outputSchema: { required: ['slugs'] },
    });
    expect(actions['example-text.checkDocs']).toMatchObject({
      timeoutMs: 10_000,
      inputSchema: { required: ['path'] },
      outputSchema: { required: ['status', 'ok'] },
    });
  });

  it('should list future-api as refused, with the API range it needs', async () => {
    const future = await pluginNamed('future-api');
    expect(future).toMatchObject({
      version: '3.0.0',
      source: FUTURE_API,
      status: 'REFUSED',
      actions: [],
      allowedHosts: [],
      limits: null,
      counters: { executions: 0, failures: 0, timeouts: 0, restarts: 0, meanDurationMs: null },
    });
    expect(future.reason).toMatch(/needs plugin API \^2\.0\.0/);
    const escape = await pluginNamed('escape');
    expect(escape.allowedHosts).toEqual(['localhost:1']);
  });

  it('should run a defined workflow whose step is example-text.slugify, counting it', async () => {
    const before = (await pluginNamed('example-text')).counters;
    const metricBefore = await slugifyMetric();
    const defined = await harness.query<{ defineWorkflow: { id: string; version: string } }>(
      `mutation D($d: String!) { defineWorkflow(definition: $d) { id version } }`,
      { d: DEFINITION },
    );
    expect(defined.errors).toBeUndefined();
    expect(defined.data!.defineWorkflow).toEqual({ id: 'plugin-slugs', version: '1.0.0' });

    const runId = await harness.start('plugin-slugs', {
      names: ['Primary Button', 'Crème Brûlée!', 'Nav  Bar'],
    });
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.outputs!.slug).toEqual({
      slugs: ['ds-primary-button', 'ds-creme-brulee', 'ds-nav-bar'],
    });

    const after = (await pluginNamed('example-text')).counters;
    expect(after.executions).toBe(before.executions + 1);
    expect(after.failures).toBe(before.failures);
    expect(after.meanDurationMs).not.toBeNull();
    // Counted before the step's result is stored, so no waiting is needed here.
    expect(await slugifyMetric()).toBe(metricBefore + 1);
  });
});
