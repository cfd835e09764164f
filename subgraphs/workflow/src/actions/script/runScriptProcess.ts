import { spawn } from 'node:child_process';
import { createBoundedCapture } from './createBoundedCapture';

/** What to run and how far it may go. */
export interface ScriptProcessRequest {
  /** Executable (never interpreted by a shell). */
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin, which is then closed. */
  stdin: string;
  /** Kills the process group when aborted (the action's timeout). */
  signal: AbortSignal;
  /** Stdout beyond this stops the script. */
  maxStdoutBytes: number;
  /** Only the last this many bytes of stderr are kept. */
  maxStderrBytes: number;
}

/** How the process ended and what it printed. */
export interface ScriptProcessResult {
  pid: number | undefined;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  /** Stdout bytes beyond the bound (the script was stopped when the first one arrived). */
  stdoutCutBytes: number;
  stderr: string;
  /** Stderr bytes dropped from the start to keep its tail. */
  stderrCutBytes: number;
  /** True when the abort signal stopped it. */
  aborted: boolean;
}

/** Sends SIGKILL to the whole process group led by `pid`; a group already gone is fine. */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Runs a program without a shell in a process group of its own (`detached`), so that a timeout
 * or an overflow kills it together with anything it started; when the script itself exits, what
 * it left behind in its group is killed too.
 */
export function runScriptProcess(request: ScriptProcessRequest): Promise<ScriptProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(request.command, [...request.args], {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout = createBoundedCapture(request.maxStdoutBytes, 'head');
    const stderr = createBoundedCapture(request.maxStderrBytes, 'tail');
    let aborted = false;
    const stop = () => killProcessGroup(child.pid);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (!stdout.push(chunk)) stop();
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A script that does not read its stdin closes the pipe early: not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.stdin);

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Background processes the script left in its group would keep the pipes open.
      stop();
    });
    child.on('error', (error) => {
      request.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, signal) => {
      request.signal.removeEventListener('abort', onAbort);
      resolve({
        pid: child.pid,
        exitCode: exit?.code ?? code,
        exitSignal: exit?.signal ?? signal,
        stdout: stdout.text(),
        stdoutCutBytes: stdout.cutBytes,
        stderr: stderr.text(),
        stderrCutBytes: stderr.cutBytes,
        aborted,
      });
    });
  });
}
