import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';
import Ajv from 'ajv';
import semver from 'semver';
import { REPO_ROOT } from '../../../../lib/graphql';
import { describeSchemaErrors } from '../actions/stepSchemas';
import {
  MANIFEST_FILE,
  PLUGIN_API_VERSION,
  describeIssues,
  manifestSchema,
  type PluginCapabilities,
  type PluginManifest,
} from './pluginManifest';
import type { PluginEntry, PluginLimits } from './pluginSettings';

/** A plugin whose manifest, API range, grants and configuration all passed. */
export interface LoadedPlugin {
  name: string;
  version: string;
  source: string;
  /** Real path of its folder (the only place its process may read). */
  folder: string;
  /** Real path of its module. */
  entry: string;
  manifest: PluginManifest;
  config: unknown;
  capabilities: PluginCapabilities;
  limits: PluginLimits;
}

/** A plugin that was not loaded, and why. */
export interface RefusedPlugin {
  /** The manifest's name when it could be read, else the entry's source. */
  name: string;
  version?: string;
  source: string;
  reason: string;
}

export type PluginLoadResult =
  { status: 'LOADED'; plugin: LoadedPlugin } | { status: 'REFUSED'; refused: RefusedPlugin };

class Refusal extends Error {}

const inside = (folder: string, path: string) => {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** The folder of an entry: its path, or the installed package's root. */
function folderOf(entry: PluginEntry): string {
  if (entry.folder) {
    if (!existsSync(entry.folder)) throw new Refusal(`folder ${entry.folder} does not exist`);
    return realpathSync(entry.folder);
  }
  try {
    const manifest = require.resolve(`${entry.packageName}/${MANIFEST_FILE}`, {
      paths: [REPO_ROOT],
    });
    return realpathSync(dirname(manifest));
  } catch {
    throw new Refusal(
      `package ${entry.packageName} is not installed or has no ${MANIFEST_FILE} (it must be exported)`,
    );
  }
}

/** Capabilities the manifest asks for and the entry does not grant, as readable phrases. */
function ungranted(asked: PluginCapabilities, granted: PluginCapabilities): string[] {
  const grantedHosts = new Set(granted.http?.hosts ?? []);
  return (asked.http?.hosts ?? [])
    .filter((host) => !grantedHosts.has(host))
    .map((host) => `http to ${host}`);
}

function load(entry: PluginEntry, ajv: Ajv, seen: Set<string>): LoadedPlugin {
  const folder = folderOf(entry);
  const manifestPath = join(folder, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new Refusal(`no ${MANIFEST_FILE} in ${folder}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new Refusal(`${MANIFEST_FILE} is not JSON: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new Refusal(`${MANIFEST_FILE} is invalid: ${describeIssues(parsed.error)}`);
  const manifest = parsed.data;
  const refuse = (reason: string) => {
    throw Object.assign(new Refusal(reason), { manifest });
  };
  if (seen.has(manifest.name)) refuse(`another plugin named ${manifest.name} is already loaded`);
  if (!semver.validRange(manifest.apiVersion))
    refuse(`apiVersion "${manifest.apiVersion}" is not a semver range`);
  if (!semver.satisfies(PLUGIN_API_VERSION, manifest.apiVersion))
    refuse(`needs plugin API ${manifest.apiVersion}, this platform provides ${PLUGIN_API_VERSION}`);
  const entryPath = join(folder, manifest.main);
  if (!existsSync(entryPath) || !inside(folder, realpathSync(entryPath)))
    refuse(`main "${manifest.main}" is not a file inside the plugin's folder`);
  const missing = ungranted(manifest.capabilities, entry.grant);
  if (missing.length) refuse(`asks for capabilities not granted: ${missing.join(', ')}`);
  for (const [action, spec] of Object.entries(manifest.actions))
    for (const key of ['inputSchema', 'outputSchema'] as const)
      try {
        ajv.compile(spec[key]);
      } catch (error) {
        refuse(`actions.${action}.${key} is not a valid JSON Schema: ${(error as Error).message}`);
      }
  let validateConfig;
  try {
    validateConfig = ajv.compile(manifest.configSchema);
  } catch (error) {
    refuse(`configSchema is not a valid JSON Schema: ${(error as Error).message}`);
  }
  if (validateConfig && !validateConfig(entry.config))
    refuse(`invalid configuration: ${describeSchemaErrors(validateConfig.errors)}`);
  return {
    name: manifest.name,
    version: manifest.version,
    source: entry.source,
    folder,
    entry: realpathSync(entryPath),
    manifest,
    config: entry.config,
    capabilities: manifest.capabilities,
    limits: entry.limits,
  };
}

/**
 * Checks every configured plugin: its manifest, the plugin API range, the capabilities it asks
 * for against those granted, and its configuration against its schema. Nothing runs yet.
 */
export function loadPlugins(entries: readonly PluginEntry[]): PluginLoadResult[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const seen = new Set<string>();
  return entries.map((entry) => {
    try {
      const plugin = load(entry, ajv, seen);
      seen.add(plugin.name);
      return { status: 'LOADED', plugin };
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const manifest = (error as Refusal & { manifest?: PluginManifest }).manifest;
      return {
        status: 'REFUSED',
        refused: {
          name: manifest?.name ?? entry.source,
          ...(manifest && { version: manifest.version }),
          source: entry.source,
          reason: error.message,
        },
      };
    }
  });
}
