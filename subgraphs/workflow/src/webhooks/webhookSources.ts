import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseByteSize } from '../../../../lib/http';
import { describeIssues } from '../plugins/pluginManifest';
import { isJsonPointer } from './jsonPointer';

/** `start`: each delivery starts a run of a definition; the delivery makes the idempotency key. */
export interface StartRunWebhookAction {
  type: 'start';
  definitionId: string;
  /** @default the highest stored version */
  version?: string;
  /** JSON pointer (RFC 6901) into the body to take the run's input from. @default '' (the whole body) */
  inputPointer: string;
}

/** `signal`: each delivery signals a run, named by a header or by a JSON pointer into the body. */
export interface SignalRunWebhookAction {
  type: 'signal';
  /** The signal name the run's `event.wait` step waits for. */
  signal: string;
  /** Header carrying the run id (lower case) … */
  runIdHeader?: string;
  /** … or JSON pointer into the body to it (exactly one of the two). */
  runIdPointer?: string;
  /** JSON pointer into the body to the signal payload. @default '' (the whole body) */
  payloadPointer: string;
}

/** What a verified delivery of a source does. */
export type WebhookSourceAction = StartRunWebhookAction | SignalRunWebhookAction;

/** One configured sender of inbound webhooks (`POST /webhooks/<name>`). */
export interface WebhookSource {
  /** The path segment: `POST /webhooks/<name>`. */
  name: string;
  /** HMAC-SHA256 key shared with the sender (the file names an environment variable). */
  secret: string;
  /** How far the signed timestamp may be from this server's clock (seconds). @default 300 */
  toleranceSec: number;
  /** Largest body accepted (`256kb`, `1mb`); larger ones are refused with 413. @default '256kb' */
  bodyLimit: string;
  action: WebhookSourceAction;
}

/** Defaults of {@link WebhookSource}. */
export const defaultWebhookSourceOptions = {
  toleranceSec: 300,
  bodyLimit: '256kb',
} satisfies Partial<WebhookSource>;

/** Shortest secret accepted: an HMAC key shorter than this is guessable. */
const MIN_SECRET_LENGTH = 16;

const pointer = z
  .string()
  .refine(isJsonPointer, { message: "expected a JSON pointer ('' or /a/b)" });

const actionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('start'),
      definitionId: z.string().min(1),
      version: z.string().min(1).optional(),
      inputPointer: pointer.default(''),
    })
    .strict(),
  z
    .object({
      type: z.literal('signal'),
      signal: z.string().min(1),
      runIdHeader: z
        .string()
        .regex(/^[a-z0-9-]+$/i)
        .transform((name) => name.toLowerCase())
        .optional(),
      runIdPointer: pointer.optional(),
      payloadPointer: pointer.default(''),
    })
    .strict()
    .refine(
      (action) => (action.runIdHeader === undefined) !== (action.runIdPointer === undefined),
      {
        message: 'give exactly one of runIdHeader or runIdPointer',
      },
    ),
]);

const sourceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
      message: 'expected lower-case letters, digits, - and _ (at most 63)',
    }),
    /** Name of the environment variable holding the secret: a file never holds one. */
    secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, {
      message: 'expected an environment variable name (A-Z, 0-9, _)',
    }),
    toleranceSec: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(defaultWebhookSourceOptions.toleranceSec),
    bodyLimit: z
      .string()
      .refine(isByteSize, { message: 'expected a size such as 100kb or 1mb (at most 10mb)' })
      .default(defaultWebhookSourceOptions.bodyLimit),
    action: actionSchema,
  })
  .strict();

const fileSchema = z.object({ sources: z.array(sourceSchema).default([]) }).strict();

function isByteSize(size: string): boolean {
  try {
    return parseByteSize(size) <= 10 * 1024 ** 2;
  } catch {
    return false;
  }
}

/**
 * Reads the webhook sources file (YAML or JSON: `sources: [{ name, secretEnv, toleranceSec,
 * bodyLimit, action }]`, docs/webhooks.md) and resolves each secret from `env`. A broken file, a
 * repeated name or a missing or short secret throws naming the file and the path of the problem.
 */
export function readWebhookSources(
  file: string,
  env: Record<string, string | undefined>,
): WebhookSource[] {
  const fail = (detail: string): never => {
    throw new Error(`webhook sources ${file}: ${detail}`);
  };
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    return fail((error as Error).message);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) return fail(describeIssues(parsed.error));
  const seen = new Set<string>();
  return parsed.data.sources.map(({ secretEnv, action, ...source }, index) => {
    if (seen.has(source.name)) fail(`sources.${index}.name: "${source.name}" is repeated`);
    seen.add(source.name);
    const secret = env[secretEnv]?.trim() ?? '';
    if (secret.length < MIN_SECRET_LENGTH)
      fail(
        `sources.${index}.secretEnv: expected ${secretEnv} to hold at least ${MIN_SECRET_LENGTH} characters, but got: ${secret ? `${secret.length} characters` : 'unset'}`,
      );
    return { ...source, secret, action };
  });
}
