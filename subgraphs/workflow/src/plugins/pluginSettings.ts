import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../../../lib/graphql';
import { capabilitiesSchema, describeIssues } from './pluginManifest';

/** The repository's plugin settings: the example plugin. */
export const DEFAULT_PLUGINS_FILE = resolve(REPO_ROOT, 'plugins', 'plugins.yaml');

/** How far a plugin's process may go. */
export interface PluginLimits {
  /** V8 heap ceiling of the process (MiB). @default 128 */
  memoryMb: number;
  /** Resident memory ceiling (MiB), buffers included; above it the process is killed. @default memoryMb + 128 */
  rssMb: number;
  /** How often the resident memory is read. @default 250 */
  rssCheckMs: number;
  /** Default action timeout; a step's `timeoutMs` overrides it. @default 30000 */
  timeoutMs: number;
  /** Start plus `init` (and `cleanup`) must finish within this. @default 10000 */
  initTimeoutMs: number;
  /** After a timeout, how long the plugin may take to stop before its process is killed. @default 1000 */
  killGraceMs: number;
}

export const defaultPluginLimits = {
  memoryMb: 128,
  rssMb: 256,
  rssCheckMs: 250,
  timeoutMs: 30_000,
  initTimeoutMs: 10_000,
  killGraceMs: 1000,
} satisfies PluginLimits;

const limitsSchema = z
  .object({
    memoryMb: z.number().int().min(16).max(8192),
    rssMb: z.number().int().min(32).max(16384),
    rssCheckMs: z.number().int().min(10).max(10_000),
    timeoutMs: z.number().int().positive(),
    initTimeoutMs: z.number().int().positive(),
    killGraceMs: z.number().int().min(0).max(60_000),
  })
  .partial()
  .strict();

const entrySchema = z
  .object({
    /** A folder (relative to the settings file) … */
    path: z.string().min(1).optional(),
    /** … or an installed npm package name. */
    package: z.string().min(1).optional(),
    /** The plugin's configuration, checked against its manifest's `configSchema`. */
    config: z.unknown().optional(),
    /** What the operator grants; a plugin asking for more is refused. */
    grant: capabilitiesSchema.default({}),
    limits: limitsSchema.default({}),
  })
  .strict()
  .refine((entry) => Boolean(entry.path) !== Boolean(entry.package), {
    message: 'give exactly one of path or package',
  });

const settingsSchema = z.object({ plugins: z.array(entrySchema).default([]) }).strict();

/** One plugin the operator asked for, as configured. */
export interface PluginEntry {
  /** What the entry named: a path as written or a package name. */
  source: string;
  /** Absolute folder, or undefined for a package (resolved at load). */
  folder?: string;
  packageName?: string;
  config: unknown;
  grant: z.infer<typeof capabilitiesSchema>;
  limits: PluginLimits;
}

/** Fills the limits an entry leaves out; the resident ceiling follows the heap's by default. */
function completeLimits(given: z.infer<typeof limitsSchema>): PluginLimits {
  const memoryMb = given.memoryMb ?? defaultPluginLimits.memoryMb;
  return { ...defaultPluginLimits, memoryMb, rssMb: memoryMb + 128, ...given };
}

/**
 * Reads the plugin settings file (YAML or JSON: `plugins: [{ path | package, config, grant,
 * limits }]`); a broken file throws naming the path of each problem.
 */
export function readPluginSettings(file: string): PluginEntry[] {
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new Error(`plugin settings ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`plugin settings ${file}: ${describeIssues(parsed.error)}`);
  const base = dirname(file);
  return parsed.data.plugins.map((entry) => ({
    source: entry.path ?? entry.package!,
    ...(entry.path && { folder: isAbsolute(entry.path) ? entry.path : resolve(base, entry.path) }),
    ...(entry.package && { packageName: entry.package }),
    config: entry.config ?? {},
    grant: entry.grant,
    limits: completeLimits(entry.limits),
  }));
}
