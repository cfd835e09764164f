import { z } from 'zod';

/** The plugin API this platform implements; a manifest's `apiVersion` range must include it. */
export const PLUGIN_API_VERSION = '1.0.0';

/** The manifest file at the root of a plugin's folder or npm package. */
export const MANIFEST_FILE = 'plugin.json';

const jsonSchema = z.record(z.string(), z.unknown());
const semverText = z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/, 'a semver version');
/** "host" or "host:port"; IPv6 literals without brackets. */
const hostEntry = z.string().regex(/^[A-Za-z0-9.:_-]+$/, 'a host or host:port');

/** What a plugin may do beyond computing: outbound HTTP to listed hosts. */
export const capabilitiesSchema = z
  .object({
    http: z
      .object({ hosts: z.array(hostEntry).min(1) })
      .strict()
      .optional(),
  })
  .strict();
export type PluginCapabilities = z.infer<typeof capabilitiesSchema>;

const actionSchema = z
  .object({
    description: z.string().default(''),
    inputSchema: jsonSchema,
    outputSchema: jsonSchema,
    /** Default timeout of the action; the plugin's limit caps it. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

/** `plugin.json`. */
export const manifestSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
    version: semverText,
    /** Semver range of the plugin API it was written for, e.g. "^1.0.0". */
    apiVersion: z.string().min(1),
    description: z.string().default(''),
    /** Module (ESM) inside the folder exporting init / execute / cleanup. */
    main: z.string().min(1).default('index.mjs'),
    actions: z.record(z.string().regex(/^[a-z][A-Za-z0-9-]*$/), actionSchema),
    configSchema: jsonSchema.default({ type: 'object' }),
    capabilities: capabilitiesSchema.default({}),
  })
  .strict();
export type PluginManifest = z.infer<typeof manifestSchema>;

/** zod's issues as one line naming each path: `actions.x.inputSchema: expected object; …`. */
export const describeIssues = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
