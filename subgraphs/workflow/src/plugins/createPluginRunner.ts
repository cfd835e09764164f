import type { Logger } from '../../../../lib/logging';
import { WorkflowError } from '../errors';
import type { PluginMetrics } from './pluginMetrics';
import type { PluginExecutionContext, WireError } from './sandbox/pluginProtocol';
import { startPluginProcess, type PluginProcess } from './sandbox/startPluginProcess';
import type { LoadedPlugin } from './loadPlugins';

/** Running totals of one plugin, since the role started. */
export interface PluginCounters {
  executions: number;
  failures: number;
  timeouts: number;
  /** Processes killed (time or memory limit) or ended unexpectedly. */
  restarts: number;
  totalDurationMs: number;
  lastError?: string;
}

/** Runs one plugin's actions in its sandboxed process, restarting the process when it dies. */
export interface PluginRunner {
  readonly plugin: LoadedPlugin;
  /** `ACTIVE` once `init` succeeded; `FAILED` while the last start failed (retried on use). */
  status(): { state: 'STARTING' | 'ACTIVE' | 'FAILED'; reason?: string };
  counters(): PluginCounters;
  /** Starts the process and runs `init` (resolves also when it fails: see `status`). */
  start(): Promise<void>;
  execute(
    action: string,
    input: unknown,
    context: PluginExecutionContext & { signal: AbortSignal },
  ): Promise<unknown>;
  /** Runs `cleanup` (bounded by the init timeout) and ends the process. */
  stop(): Promise<void>;
}

interface Pending {
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/** Options of {@link createPluginRunner}. */
export interface PluginRunnerOptions {
  plugin: LoadedPlugin;
  logger: Logger;
  metrics: PluginMetrics;
}

const crashed = (name: string, reason: string) =>
  new WorkflowError('ACTION_FAILED', `plugin ${name}: process ${reason}`, true);

/** Creates the runner; nothing starts before `start` or the first `execute`. */
export function createPluginRunner({ plugin, logger, metrics }: PluginRunnerOptions): PluginRunner {
  const { name, limits } = plugin;
  const log = logger.child({ plugin: name, pluginVersion: plugin.version });
  const counters: PluginCounters = {
    executions: 0,
    failures: 0,
    timeouts: 0,
    restarts: 0,
    totalDurationMs: 0,
  };
  let state: { state: 'STARTING' | 'ACTIVE' | 'FAILED'; reason?: string } = { state: 'STARTING' };
  let current:
    | {
        process: PluginProcess;
        ready: Promise<void>;
        /** Calls past their deadline: each stops in time, or the process is killed. */
        overdue: Set<number>;
        /** Resolves when no call is overdue any more or the process ended. */
        suspect?: { cleared: Promise<void>; clear(): void };
      }
    | undefined;
  const pending = new Map<number, Pending>();

  /** Holds new calls back from a process that may be killed, until it is known either way. */
  function markOverdue(id: number) {
    if (!current) return;
    current.overdue.add(id);
    if (current.suspect) return;
    let clear = () => undefined as void;
    const cleared = new Promise<void>((resolve) => (clear = resolve));
    current.suspect = { cleared, clear };
  }

  /** A call ended (answered or with its process): a suspect process may be clear again. */
  function settle(id: number, child: PluginProcess, processEnded = false) {
    const entry = current?.process === child ? current : undefined;
    if (!entry) return;
    entry.overdue.delete(id);
    if (entry.suspect && (processEnded || entry.overdue.size === 0)) {
      entry.suspect.clear();
      delete entry.suspect;
    }
  }
  let nextId = 1;
  let stopping = false;

  function launch(): NonNullable<typeof current> {
    const child = startPluginProcess({
      folder: plugin.folder,
      entry: plugin.entry,
      hosts: plugin.capabilities.http?.hosts ?? [],
      heapMb: limits.memoryMb,
      rssMb: limits.rssMb,
      rssCheckMs: limits.rssCheckMs,
      logger: log,
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill(`init took longer than ${limits.initTimeoutMs} ms`);
      }, limits.initTimeoutMs);
      child.onMessage((message) => {
        switch (message.type) {
          case 'started':
            child.send({ type: 'init', config: plugin.config });
            return;
          case 'ready':
            clearTimeout(timer);
            state = { state: 'ACTIVE' };
            log.info({ pid: child.pid }, 'plugin ready');
            resolve();
            return;
          case 'initFailed':
            clearTimeout(timer);
            child.kill(`init failed: ${message.error.message}`);
            return;
          case 'result':
          case 'error': {
            const entry = pending.get(message.id);
            pending.delete(message.id);
            settle(message.id, child);
            if (message.type === 'result') entry?.resolve(message.output);
            else entry?.reject(pluginError(message.error));
            return;
          }
          case 'log':
            log[message.level](message.fields ?? {}, message.message);
            return;
        }
      });
      child.onExit((reason) => {
        clearTimeout(timer);
        if (current?.process === child) {
          current.suspect?.clear();
          current = undefined;
        }
        if (state.state !== 'ACTIVE' || stopping) {
          state = { state: 'FAILED', reason };
          reject(new WorkflowError('ACTION_FAILED', `plugin ${name}: ${reason}`, true));
        } else {
          counters.restarts += 1;
          counters.lastError = `process ${reason}`;
          metrics.restarts.inc({ plugin: name });
          log.warn({ reason }, 'plugin process ended; the next call starts a new one');
          state = { state: 'STARTING' };
        }
        for (const [id, entry] of pending) {
          pending.delete(id);
          entry.reject(crashed(name, reason));
        }
      });
    });
    ready.catch(() => undefined);
    return { process: child, ready, overdue: new Set<number>() };
  }

  function pluginError(error: WireError): Error {
    // The permission model's refusal is not transient: retrying cannot succeed.
    if (error.code === 'ERR_ACCESS_DENIED')
      return new WorkflowError('ACTION_FAILED', `plugin ${name}: ${error.message}`);
    return new WorkflowError('ACTION_FAILED', `plugin ${name}: ${error.message}`, true);
  }

  async function ensureStarted(): Promise<PluginProcess> {
    for (;;) {
      if (stopping) throw new WorkflowError('ACTION_FAILED', `plugin ${name}: stopping`, true);
      // Calls wait out a suspect process instead of joining it and dying with it.
      if (current?.suspect) {
        await current.suspect.cleared;
        continue;
      }
      if (!current) {
        state = { state: 'STARTING' };
        current = launch();
      }
      const { process, ready } = current;
      try {
        await ready;
      } catch (error) {
        if (current?.process === process) current = undefined;
        throw error;
      }
      // It may have become suspect while this call waited.
      if (current?.process === process && !current.suspect) return process;
    }
  }

  return {
    plugin,
    status: () => state,
    counters: () => ({ ...counters }),
    async start() {
      await ensureStarted().catch((error: Error) =>
        log.error({ err: error }, 'plugin failed to start'),
      );
    },
    async execute(action, input, { signal, ...context }) {
      const startedAt = performance.now();
      counters.executions += 1;
      // Set from the abort listener too: an object keeps TypeScript from narrowing it to 'ok'.
      const run: { outcome: 'ok' | 'error' | 'timeout' } = { outcome: 'ok' };
      try {
        const child = await ensureStarted();
        if (signal.aborted) {
          run.outcome = 'timeout';
          throw new WorkflowError(
            'ACTION_TIMEOUT',
            `plugin ${name}: deadline passed at start`,
            true,
          );
        }
        const id = nextId++;
        return await new Promise<unknown>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          child.send({ type: 'execute', id, action, input, context });
          const onDeadline = () => {
            run.outcome = 'timeout';
            child.send({ type: 'abort', id });
            markOverdue(id);
            // A plugin stuck in a loop cannot answer the abort: its process goes.
            setTimeout(() => {
              if (pending.has(id))
                child.kill(`did not stop within ${limits.killGraceMs} ms of its deadline`);
            }, limits.killGraceMs).unref();
          };
          signal.addEventListener('abort', onDeadline, { once: true });
        });
      } catch (error) {
        if (run.outcome === 'ok') run.outcome = 'error';
        counters.lastError = (error as Error).message;
        throw error;
      } finally {
        const elapsedMs = performance.now() - startedAt;
        counters.totalDurationMs += elapsedMs;
        if (run.outcome === 'error') counters.failures += 1;
        if (run.outcome === 'timeout') counters.timeouts += 1;
        metrics.executions.inc({ plugin: name, action, outcome: run.outcome });
        metrics.seconds.observe({ plugin: name, action }, elapsedMs / 1000);
      }
    },
    async stop() {
      stopping = true;
      const running = current;
      if (!running) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          () => running.process.kill('cleanup timed out'),
          limits.initTimeoutMs,
        );
        running.process.onExit(() => {
          clearTimeout(timer);
          resolve();
        });
        running.process.onMessage((message) => {
          if (message.type === 'cleanedUp') running.process.kill('stopped');
        });
        running.process.send({ type: 'cleanup' });
      });
    },
  };
}
