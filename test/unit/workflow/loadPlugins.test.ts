import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../lib/graphql';
import {
  loadPlugins,
  type PluginLoadResult,
} from '../../../subgraphs/workflow/src/plugins/loadPlugins';
import {
  defaultPluginLimits,
  type PluginEntry,
} from '../../../subgraphs/workflow/src/plugins/pluginSettings';

const EXAMPLE = join(REPO_ROOT, 'plugins', 'example-text');
const FUTURE_API = join(REPO_ROOT, 'test', 'fixtures', 'plugins', 'future-api');
const GRANT_EXAMPLE = { http: { hosts: ['127.0.0.1'] } };

/** An entry as readPluginSettings would give it for a folder. */
const entryFor = (folder: string, extra: Partial<PluginEntry> = {}): PluginEntry => ({
  source: folder,
  folder,
  config: {},
  grant: {},
  limits: defaultPluginLimits,
  ...extra,
});

/** The reason of a single refused entry; fails the test if it was loaded. */
function refusalOf(entry: PluginEntry) {
  const [result] = loadPlugins([entry]);
  if (result?.status !== 'REFUSED') throw new Error(`expected a refusal, got ${result?.status}`);
  return result.refused;
}

/** The smallest valid manifest, with the test's changes. */
const manifest = (changes: object = {}) => ({
  name: 'tiny',
  version: '0.0.1',
  apiVersion: '^1.0.0',
  actions: {
    go: { inputSchema: { type: 'object' }, outputSchema: { type: 'object' } },
  },
  ...changes,
});

describe('loadPlugins', () => {
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'load-plugins-'));
  });

  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Writes a plugin folder (manifest as given, an index.mjs) and returns its path. */
  const pluginFolder = (name: string, manifestJson: unknown) => {
    const folder = join(scratch, name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'plugin.json'),
      typeof manifestJson === 'string' ? manifestJson : JSON.stringify(manifestJson),
    );
    writeFileSync(join(folder, 'index.mjs'), 'export default { execute: async () => ({}) };\n');
    return folder;
  };

  it('should load the example plugin with its real paths, manifest, configuration and limits', () => {
    const limits = { ...defaultPluginLimits, memoryMb: 64, rssMb: 192 };
    const [result] = loadPlugins([
      entryFor(EXAMPLE, { config: { prefix: 'ui-' }, grant: GRANT_EXAMPLE, limits }),
    ]);
    expect(result?.status).toBe('LOADED');
    const { plugin } = result as Extract<PluginLoadResult, { status: 'LOADED' }>;
    expect(plugin).toMatchObject({
      name: 'example-text',
      version: '1.0.0',
      source: EXAMPLE,
      folder: realpathSync(EXAMPLE),
      entry: realpathSync(join(EXAMPLE, 'index.mjs')),
      config: { prefix: 'ui-' },
      capabilities: GRANT_EXAMPLE,
      limits,
    });
    expect(Object.keys(plugin.manifest.actions).sort()).toEqual(['checkDocs', 'slugify']);
  });

  it('should refuse a plugin written for another plugin API (the future-api fixture)', () => {
    expect(refusalOf(entryFor(FUTURE_API))).toEqual({
      name: 'future-api',
      version: '3.0.0',
      source: FUTURE_API,
      reason: 'needs plugin API ^2.0.0, this platform provides 1.0.0',
    });
  });

  it('should refuse a plugin asking for a host that was not granted', () => {
    expect(refusalOf(entryFor(EXAMPLE)).reason).toBe(
      'asks for capabilities not granted: http to 127.0.0.1',
    );
    // Granting another host (or the same host on one port) is not granting the one asked for.
    const elsewhere = { http: { hosts: ['localhost', '127.0.0.1:80'] } };
    expect(refusalOf(entryFor(EXAMPLE, { grant: elsewhere })).reason).toBe(
      'asks for capabilities not granted: http to 127.0.0.1',
    );
  });

  it('should refuse a configuration its configSchema rejects, naming the instance path', () => {
    const refused = refusalOf(
      entryFor(EXAMPLE, { grant: GRANT_EXAMPLE, config: { maxLength: 500, colour: 'red' } }),
    );
    expect(refused.name).toBe('example-text');
    expect(refused.reason).toMatch(/^invalid configuration: /);
    expect(refused.reason).toContain('/maxLength must be <= 200');
    expect(refused.reason).toContain('must NOT have additional properties');
  });

  it('should refuse an invalid manifest, naming the zod path of each problem', () => {
    const folder = pluginFolder(
      'bad-manifest',
      manifest({
        name: 'Bad_Name',
        actions: { go: { inputSchema: { type: 'object' } } },
        capabilities: { fs: true },
      }),
    );
    const refused = refusalOf(entryFor(folder));
    // Without a readable manifest, the plugin is named by its entry.
    expect(refused.name).toBe(folder);
    expect(refused.reason).toMatch(/^plugin\.json is invalid: /);
    expect(refused.reason).toContain('name: lowercase letters, digits and dashes');
    expect(refused.reason).toMatch(/actions\.go\.outputSchema: /);
    expect(refused.reason).toMatch(/capabilities: Unrecognized key.*"fs"/);
  });

  it('should refuse a manifest that is not JSON, and a folder without one', () => {
    const broken = pluginFolder('not-json', '{ "name": ');
    expect(refusalOf(entryFor(broken)).reason).toMatch(/^plugin\.json is not JSON: /);
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    expect(refusalOf(entryFor(empty)).reason).toBe(`no plugin.json in ${realpathSync(empty)}`);
  });

  it('should refuse a main module outside the plugin folder, even when it exists', () => {
    writeFileSync(join(scratch, 'x.mjs'), 'export default {};\n');
    const upwards = pluginFolder('upwards', manifest({ main: '../x.mjs' }));
    expect(refusalOf(entryFor(upwards)).reason).toBe(
      `main "../x.mjs" is not a file inside the plugin's folder`,
    );
    // A link inside the folder to a file outside it is outside too.
    const linked = pluginFolder('linked', manifest({ main: 'link.mjs' }));
    symlinkSync(join(scratch, 'x.mjs'), join(linked, 'link.mjs'));
    expect(refusalOf(entryFor(linked)).reason).toBe(
      `main "link.mjs" is not a file inside the plugin's folder`,
    );
    const missing = pluginFolder('missing', manifest({ main: 'nowhere.mjs' }));
    expect(refusalOf(entryFor(missing)).reason).toMatch(/main "nowhere\.mjs" is not a file/);
  });

  it('should refuse a folder that does not exist and a package that is not installed', () => {
    const gone = join(scratch, 'gone');
    expect(refusalOf(entryFor(gone))).toEqual({
      name: gone,
      source: gone,
      reason: `folder ${gone} does not exist`,
    });
    const refused = refusalOf({
      source: 'no-such-plugin-package',
      packageName: 'no-such-plugin-package',
      config: {},
      grant: {},
      limits: defaultPluginLimits,
    });
    expect(refused.reason).toBe(
      'package no-such-plugin-package is not installed or has no plugin.json (it must be exported)',
    );
  });

  it('should refuse a second plugin with the name of one already loaded, keeping the first', () => {
    const copy = pluginFolder('copy', manifest({ name: 'example-text' }));
    const results = loadPlugins([entryFor(EXAMPLE, { grant: GRANT_EXAMPLE }), entryFor(copy)]);
    expect(results.map((result) => result.status)).toEqual(['LOADED', 'REFUSED']);
    expect(results[1]).toMatchObject({
      refused: {
        name: 'example-text',
        version: '0.0.1',
        source: copy,
        reason: 'another plugin named example-text is already loaded',
      },
    });
  });

  it('should not count a refused plugin’s name as taken', () => {
    // The first is refused (not granted), so the second of that name loads.
    const results = loadPlugins([entryFor(EXAMPLE), entryFor(EXAMPLE, { grant: GRANT_EXAMPLE })]);
    expect(results.map((result) => result.status)).toEqual(['REFUSED', 'LOADED']);
  });

  it('should refuse an action schema that is not a JSON Schema', () => {
    const folder = pluginFolder(
      'bad-schema',
      manifest({
        actions: { go: { inputSchema: { type: 'no-such-type' }, outputSchema: {} } },
      }),
    );
    expect(refusalOf(entryFor(folder)).reason).toMatch(
      /^actions\.go\.inputSchema is not a valid JSON Schema: /,
    );
  });
});
