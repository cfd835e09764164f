import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultPluginLimits,
  readPluginSettings,
} from '../../../subgraphs/workflow/src/plugins/pluginSettings';

describe('readPluginSettings', () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'plugin-settings-'));
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  /** Writes a settings file into the test's folder and returns its path. */
  const settingsFile = (name: string, text: string) => {
    const file = join(folder, name);
    writeFileSync(file, text);
    return file;
  };

  it('should read YAML, resolving a relative path against the file’s folder, not the cwd', () => {
    const file = settingsFile(
      'plugins.yaml',
      [
        'plugins:',
        '  - path: ./nested/text',
        '    config: { prefix: app- }',
        '    grant:',
        '      http: { hosts: [127.0.0.1, "docs.example.com:443"] }',
        '    limits: { memoryMb: 64, timeoutMs: 5000 }',
      ].join('\n'),
    );
    const [entry, ...rest] = readPluginSettings(file);
    expect(rest).toEqual([]);
    expect(entry).toEqual({
      source: './nested/text',
      folder: join(folder, 'nested', 'text'),
      config: { prefix: 'app-' },
      grant: { http: { hosts: ['127.0.0.1', 'docs.example.com:443'] } },
      limits: { ...defaultPluginLimits, memoryMb: 64, rssMb: 64 + 128, timeoutMs: 5000 },
    });
  });

  it('should read JSON, keeping an absolute path as given and a package by name', () => {
    const absolute = join(tmpdir(), 'elsewhere', 'plugin');
    const file = settingsFile(
      'plugins.json',
      JSON.stringify({ plugins: [{ path: absolute }, { package: '@acme/text-plugin' }] }),
    );
    const [byPath, byPackage] = readPluginSettings(file);
    expect(byPath).toMatchObject({ source: absolute, folder: absolute, config: {}, grant: {} });
    expect(byPackage).toEqual({
      source: '@acme/text-plugin',
      packageName: '@acme/text-plugin',
      config: {},
      grant: {},
      limits: defaultPluginLimits,
    });
    // A package has no folder until it is resolved at load.
    expect(byPackage).not.toHaveProperty('folder');
  });

  it('should read an empty file, and one without entries, as no plugins', () => {
    expect(readPluginSettings(settingsFile('empty.yaml', ''))).toEqual([]);
    expect(readPluginSettings(settingsFile('none.yaml', 'plugins: []\n'))).toEqual([]);
  });

  it('should fill the limits: defaults, and the resident ceiling following the heap unless given', () => {
    const file = settingsFile(
      'limits.yaml',
      [
        'plugins:',
        '  - path: a',
        '  - path: b',
        '    limits: { memoryMb: 300 }',
        '  - path: c',
        '    limits: { memoryMb: 48, rssMb: 160, killGraceMs: 0 }',
      ].join('\n'),
    );
    const [a, b, c] = readPluginSettings(file).map((entry) => entry.limits);
    expect(a).toEqual({
      memoryMb: 128,
      rssMb: 256,
      rssCheckMs: 250,
      timeoutMs: 30_000,
      initTimeoutMs: 10_000,
      killGraceMs: 1000,
    });
    expect(b).toEqual({ ...defaultPluginLimits, memoryMb: 300, rssMb: 428 });
    expect(c).toEqual({ ...defaultPluginLimits, memoryMb: 48, rssMb: 160, killGraceMs: 0 });
  });

  it('should refuse an entry with both path and package, or neither', () => {
    const both = settingsFile('both.yaml', 'plugins:\n  - path: a\n    package: b\n');
    expect(() => readPluginSettings(both)).toThrow(
      /plugins\.0: give exactly one of path or package/,
    );
    const neither = settingsFile('neither.yaml', 'plugins:\n  - path: a\n  - config: {}\n');
    expect(() => readPluginSettings(neither)).toThrow(
      /plugins\.1: give exactly one of path or package/,
    );
  });

  it('should refuse unknown keys, naming the file and the path of each', () => {
    const file = settingsFile(
      'unknown.yaml',
      [
        'plugins:',
        '  - path: a',
        '    grants: {}',
        '    limits: { heapMb: 64 }',
        'plugin: []',
      ].join('\n'),
    );
    let message = '';
    try {
      readPluginSettings(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`plugin settings ${file}:`);
    expect(message).toMatch(/\(root\): Unrecognized key.*"plugin"/);
    expect(message).toMatch(/plugins\.0: Unrecognized key.*"grants"/);
    expect(message).toMatch(/plugins\.0\.limits: Unrecognized key.*"heapMb"/);
  });

  it('should refuse limits out of range and grants that are not host lists', () => {
    const file = settingsFile(
      'ranges.yaml',
      [
        'plugins:',
        '  - path: a',
        '    limits: { memoryMb: 4, rssCheckMs: 1 }',
        '    grant: { http: { hosts: [] } }',
      ].join('\n'),
    );
    expect(() => readPluginSettings(file)).toThrow(/plugins\.0\.limits\.memoryMb: /);
    expect(() => readPluginSettings(file)).toThrow(/plugins\.0\.limits\.rssCheckMs: /);
    expect(() => readPluginSettings(file)).toThrow(/plugins\.0\.grant\.http\.hosts: /);
  });

  it('should refuse text that is not YAML, naming the file', () => {
    const file = settingsFile('broken.yaml', 'plugins: [\n  - path: a\n');
    expect(() => readPluginSettings(file)).toThrow(`plugin settings ${file}: `);
  });
});
