import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../../../lib/logging';
import type { FromPlugin, ToPlugin } from './pluginProtocol';

const HOST_DIR = __dirname;
const HOST_ENTRY = join(HOST_DIR, 'pluginHost.mjs');
/** Frames of V8's native stack trace after a fatal error: noise in the role's log. */
const NATIVE_FRAME = /^\s*\d+: 0x[0-9a-f]+ /;

/** Where the plugin lives and how far its process may go. */
export interface PluginProcessOptions {
  /** The plugin's folder: the only place the process may read. */
  folder: string;
  /** The module the host imports (inside `folder`). */
  entry: string;
  /** Hosts the process may connect to ("host" or "host:port"). */
  hosts: readonly string[];
  /** V8 heap ceiling (`--max-old-space-size`). */
  heapMb: number;
  /** Resident memory ceiling, checked every `rssCheckMs`: buffers outside the heap count too. */
  rssMb: number;
  rssCheckMs: number;
  logger: Logger;
}

/** One running plugin process. */
export interface PluginProcess {
  readonly pid: number | undefined;
  send(message: ToPlugin): void;
  /** Calls back for every message; the process's end arrives once through `onExit`. */
  onMessage(listener: (message: FromPlugin) => void): void;
  onExit(listener: (reason: string) => void): void;
  kill(reason: string): void;
}

/** Reads the resident set size of a process in MiB (Linux `/proc`); undefined elsewhere. */
async function residentMb(pid: number): Promise<number | undefined> {
  try {
    const statm = await readFile(`/proc/${pid}/statm`, 'utf8');
    const pages = Number(statm.split(' ')[1]);
    return (pages * 4096) / (1024 * 1024);
  } catch {
    return undefined;
  }
}

/**
 * Forks `pluginHost.mjs` under Node's permission model: reads only from the plugin's folder and
 * the host's own, no child processes, no worker threads, no native addons, an empty environment,
 * a heap ceiling, and a watchdog that kills the process above its resident memory ceiling.
 */
export function startPluginProcess(options: PluginProcessOptions): PluginProcess {
  const child: ChildProcess = fork(
    HOST_ENTRY,
    [JSON.stringify({ entry: options.entry, hosts: options.hosts })],
    {
      execArgv: [
        '--experimental-permission',
        `--allow-fs-read=${HOST_DIR}/`,
        `--allow-fs-read=${options.folder}/`,
        `--max-old-space-size=${options.heapMb}`,
        '--disable-warning=ExperimentalWarning',
      ],
      cwd: options.folder,
      env: {},
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    },
  );
  const exitListeners: ((reason: string) => void)[] = [];
  let killedFor: string | undefined;
  let ended = false;

  const logStream = (stream: NodeJS.ReadableStream | null, level: 'info' | 'warn') => {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      // Bounded: a plugin printing without newlines cannot grow this past 16 KiB.
      pending = (pending + chunk).slice(-16_384);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines)
        if (line.trim() && !NATIVE_FRAME.test(line)) options.logger[level]({ stream: level }, line);
    });
  };
  logStream(child.stdout, 'info');
  logStream(child.stderr, 'warn');

  const watchdog = setInterval(() => {
    if (child.pid === undefined) return;
    void residentMb(child.pid).then((mb) => {
      if (mb !== undefined && mb > options.rssMb)
        kill(`resident memory ${Math.round(mb)} MiB above its ${options.rssMb} MiB limit`);
    });
  }, options.rssCheckMs);
  watchdog.unref();

  function kill(reason: string) {
    if (ended || killedFor) return;
    killedFor = reason;
    child.kill('SIGKILL');
  }

  child.on('exit', (code, signal) => {
    ended = true;
    clearInterval(watchdog);
    const reason =
      killedFor ??
      (code === 0
        ? 'exited'
        : signal
          ? `ended by ${signal}${signal === 'SIGABRT' ? ' (heap limit reached)' : ''}`
          : `exited with code ${code}${code === 134 ? ' (heap limit reached)' : ''}`);
    for (const listener of exitListeners) listener(reason);
  });
  child.on('error', (error) => kill(`process error: ${error.message}`));

  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!ended && child.connected) child.send(message);
    },
    onMessage(listener) {
      child.on('message', (message) => listener(message as FromPlugin));
    },
    onExit(listener) {
      if (ended) listener(killedFor ?? 'exited');
      else exitListeners.push(listener);
    },
    kill,
  };
}
