import { join } from 'node:path';
import { REPO_ROOT } from '../../../../../lib/graphql';
import type { ActionHandler } from '../types';
import { createOutputValidator } from './createOutputValidator';
import { resolveScriptPath } from './resolveScriptPath';
import { runScriptProcess } from './runScriptProcess';
import { ScriptExitError, ScriptOutputError } from './scriptErrors';

/** Runtimes a script may ask for. */
export const SCRIPT_RUNTIMES = ['python', 'node', 'bash'] as const;
export type ScriptRuntime = (typeof SCRIPT_RUNTIMES)[number];

/** Options of {@link createScriptAction}. */
export interface ScriptActionOptions {
  /** Folders scripts are taken from (absolute). @default [`<repository>/workers/scripts`] */
  folders: string[];
  /** Executable per runtime (looked up on PATH). @default python3, the running node, bash */
  runtimes: Record<ScriptRuntime, string>;
  /** Stdout beyond this stops the script and fails the step. @default 1048576 (1 MiB) */
  maxStdoutBytes: number;
  /** Stderr is cut to its last this many bytes. @default 1048576 (1 MiB) */
  maxStderrBytes: number;
  /** How much of stderr's end a failed step's error carries. @default 2048 */
  errorTailBytes: number;
  /** Default timeout of the action (a step's `timeoutMs` overrides it). @default 30000 */
  timeoutMs: number;
}

/** The repository's own script folder. */
export const DEFAULT_SCRIPT_FOLDER = join(REPO_ROOT, 'workers', 'scripts');

export const defaultScriptActionOptions = {
  folders: [DEFAULT_SCRIPT_FOLDER],
  runtimes: { python: 'python3', node: process.execPath, bash: 'bash' },
  maxStdoutBytes: 1024 * 1024,
  maxStderrBytes: 1024 * 1024,
  errorTailBytes: 2048,
  timeoutMs: 30_000,
} satisfies ScriptActionOptions;

// Scripts get a small environment: the role's secrets (database, Kafka, webhook keys) stay out.
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'PYENV_ROOT', 'PYENV_VERSION'];

const scriptEnv = (runId: string, stepId: string, attempt: number) => {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    WORKFLOW_RUN_ID: runId,
    WORKFLOW_STEP_ID: stepId,
    WORKFLOW_ATTEMPT: String(attempt),
  };
};

const tail = (text: string, bytes: number) => {
  const buffer = Buffer.from(text.trimEnd(), 'utf8');
  return buffer.length <= bytes
    ? buffer.toString('utf8')
    : `…${buffer.subarray(-bytes).toString('utf8')}`;
};

/**
 * `script.run`: runs a script from the configured folders with python3, node or bash (no
 * shell), `input` as JSON on stdin; its stdout must be one JSON object, checked against the
 * step's `outputSchema` when given. The action's timeout kills the script's process group.
 */
export function createScriptAction(overrides: Partial<ScriptActionOptions> = {}): ActionHandler {
  const options: ScriptActionOptions = { ...defaultScriptActionOptions, ...overrides };
  const validateOutput = createOutputValidator();
  return {
    name: 'script.run',
    description:
      'Runs a script (python, node or bash) from the script folders with `input` as JSON on stdin; its stdout is the output (JSON object).',
    timeoutMs: options.timeoutMs,
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['runtime', 'script'],
      properties: {
        runtime: { enum: [...SCRIPT_RUNTIMES] },
        script: { type: 'string', minLength: 1, maxLength: 1024 },
        args: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 4096 } },
        input: {},
        outputSchema: { type: 'object' },
      },
    },
    outputSchema: { type: 'object' },
    async run(input, ctx) {
      const script = String(input.script);
      const runtime = input.runtime as ScriptRuntime;
      const resolved = await resolveScriptPath(script, options.folders);
      const result = await runScriptProcess({
        command: options.runtimes[runtime],
        args: [resolved.path, ...((input.args as string[] | undefined) ?? [])],
        cwd: resolved.folder,
        env: scriptEnv(ctx.runId, ctx.stepId, ctx.attempt),
        stdin: JSON.stringify(input.input ?? {}),
        signal: ctx.signal,
        maxStdoutBytes: options.maxStdoutBytes,
        maxStderrBytes: options.maxStderrBytes,
      });
      const log = { runId: ctx.runId, stepId: ctx.stepId, script, pid: result.pid };
      if (result.stderr)
        ctx.logger.debug(
          { ...log, stderr: tail(result.stderr, options.errorTailBytes) },
          'script stderr',
        );
      if (result.stderrCutBytes > 0)
        ctx.logger.warn(
          { ...log, cutBytes: result.stderrCutBytes },
          'script stderr cut to its tail',
        );
      // The registry has already failed the step with ACTION_TIMEOUT; this only ends the promise.
      if (result.aborted) throw new Error(`${script} stopped: the action timed out`);
      if (result.stdoutCutBytes > 0)
        throw new ScriptOutputError(
          'TOO_LARGE',
          script,
          `stdout exceeded ${options.maxStdoutBytes} bytes (${result.stdoutCutBytes} more cut); the script was stopped`,
        );
      if (result.exitCode !== 0 || result.exitSignal)
        throw new ScriptExitError(
          script,
          result.exitCode,
          result.exitSignal,
          tail(result.stderr, options.errorTailBytes),
        );
      let output: unknown;
      try {
        output = JSON.parse(result.stdout);
      } catch {
        throw new ScriptOutputError(
          'NOT_JSON',
          script,
          `stdout is not JSON: ${JSON.stringify(result.stdout.slice(0, 200))}`,
        );
      }
      if (input.outputSchema) validateOutput(script, input.outputSchema as object, output);
      return output;
    },
  };
}
