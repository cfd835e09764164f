import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workflowOptionsFromEnv } from '../../../subgraphs/workflow/src';
import {
  defaultWebhookSourceOptions,
  readWebhookSources,
} from '../../../subgraphs/workflow/src/webhooks/webhookSources';

const SECRET = 'a-secret-of-sufficient-length';

describe('readWebhookSources', () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'webhook-sources-'));
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  /** Writes a sources file into the test's folder and returns its path. */
  const sourcesFile = (name: string, text: string) => {
    const file = join(folder, name);
    writeFileSync(file, text);
    return file;
  };

  it('should read YAML, resolve secrets from the environment and fill the defaults', () => {
    const file = sourcesFile(
      'sources.yaml',
      [
        'sources:',
        '  - name: github',
        '    secretEnv: GITHUB_SECRET',
        '    action: { type: start, definitionId: deploy, version: 1.2.0 }',
        '  - name: approvals',
        '    secretEnv: APPROVALS_SECRET',
        '    toleranceSec: 60',
        '    bodyLimit: 64kb',
        '    action: { type: signal, signal: approved, runIdHeader: X-Run-Id }',
      ].join('\n'),
    );
    const sources = readWebhookSources(file, {
      GITHUB_SECRET: SECRET,
      APPROVALS_SECRET: `${SECRET}2`,
    });
    expect(sources).toEqual([
      {
        name: 'github',
        secret: SECRET,
        ...defaultWebhookSourceOptions,
        action: { type: 'start', definitionId: 'deploy', version: '1.2.0', inputPointer: '' },
      },
      {
        name: 'approvals',
        secret: `${SECRET}2`,
        toleranceSec: 60,
        bodyLimit: '64kb',
        action: { type: 'signal', signal: 'approved', runIdHeader: 'x-run-id', payloadPointer: '' },
      },
    ]);
  });

  it('should read JSON too', () => {
    const file = sourcesFile(
      'sources.json',
      JSON.stringify({
        sources: [
          {
            name: 'ci',
            secretEnv: 'CI_SECRET',
            action: {
              type: 'signal',
              signal: 'built',
              runIdPointer: '/run/id',
              payloadPointer: '/data',
            },
          },
        ],
      }),
    );
    const [source] = readWebhookSources(file, { CI_SECRET: SECRET });
    expect(source?.action).toEqual({
      type: 'signal',
      signal: 'built',
      runIdPointer: '/run/id',
      payloadPointer: '/data',
    });
  });

  it.each([
    ['an inline secret', 'secret: abc', /sources\.0: .*secret/i],
    [
      'a bad pointer',
      'action: { type: start, definitionId: d, inputPointer: payload }',
      /sources\.0\.action\.inputPointer: expected a JSON pointer/,
    ],
    ['a bad size', 'bodyLimit: 1gb', /sources\.0\.bodyLimit: expected a size/],
    ['a tolerance of 0', 'toleranceSec: 0', /sources\.0\.toleranceSec/],
  ])('should refuse %s, naming the file and the path', (_what, line, message) => {
    const lines = ['sources:', '  - name: s', '    secretEnv: S_SECRET'];
    if (!line.startsWith('action')) lines.push('    action: { type: start, definitionId: d }');
    lines.push(`    ${line}`);
    const file = sourcesFile('sources.yaml', lines.join('\n'));
    expect(() => readWebhookSources(file, { S_SECRET: SECRET })).toThrow(message);
    expect(() => readWebhookSources(file, { S_SECRET: SECRET })).toThrow(file);
  });

  it('should refuse a signal action naming both or neither run id place', () => {
    for (const where of ['', ', runIdHeader: x-run, runIdPointer: /id']) {
      const file = sourcesFile(
        'sources.yaml',
        `sources:\n  - { name: s, secretEnv: S_SECRET, action: { type: signal, signal: go${where} } }`,
      );
      expect(() => readWebhookSources(file, { S_SECRET: SECRET })).toThrow(
        /sources\.0\.action: give exactly one of runIdHeader or runIdPointer/,
      );
    }
  });

  it('should refuse a missing or short secret variable and a repeated name', () => {
    const file = sourcesFile(
      'sources.yaml',
      'sources:\n  - { name: s, secretEnv: S_SECRET, action: { type: start, definitionId: d } }',
    );
    expect(() => readWebhookSources(file, {})).toThrow(
      `webhook sources ${file}: sources.0.secretEnv: expected S_SECRET to hold at least 16 characters, but got: unset`,
    );
    expect(() => readWebhookSources(file, { S_SECRET: 'short' })).toThrow(/but got: 5 characters/);
    const twice = sourcesFile(
      'twice.yaml',
      [
        'sources:',
        '  - { name: s, secretEnv: S_SECRET, action: { type: start, definitionId: d } }',
        '  - { name: s, secretEnv: S_SECRET, action: { type: start, definitionId: e } }',
      ].join('\n'),
    );
    expect(() => readWebhookSources(twice, { S_SECRET: SECRET })).toThrow(
      /sources\.1\.name: "s" is repeated/,
    );
  });

  it('should refuse a file that is not YAML, naming it', () => {
    const file = sourcesFile('broken.yaml', 'sources: [\n');
    expect(() => readWebhookSources(file, {})).toThrow(`webhook sources ${file}:`);
  });

  it('should be read once by workflowOptionsFromEnv, from the same environment', () => {
    const file = sourcesFile(
      'sources.yaml',
      'sources:\n  - { name: s, secretEnv: S_SECRET, action: { type: start, definitionId: d } }',
    );
    const env = {
      WORKFLOW_PLUGINS_FILE: '',
      WORKFLOW_WEBHOOK_SOURCES_FILE: file,
      S_SECRET: SECRET,
    };
    expect(workflowOptionsFromEnv(env).webhookSources).toEqual([
      expect.objectContaining({ name: 's', secret: SECRET }),
    ]);
    expect(workflowOptionsFromEnv({ WORKFLOW_PLUGINS_FILE: '' }).webhookSources).toEqual([]);
  });
});
