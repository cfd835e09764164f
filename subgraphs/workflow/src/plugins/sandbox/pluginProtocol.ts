/** Messages between the role and a plugin's process (`pluginHost.mjs`), over Node's IPC channel. */

/** What the invocation tells the plugin about its step. */
export interface PluginExecutionContext {
  runId: string;
  stepId: string;
  attempt: number;
}

export type ToPlugin =
  | { type: 'init'; config: unknown }
  | {
      type: 'execute';
      id: number;
      action: string;
      input: unknown;
      context: PluginExecutionContext;
    }
  | { type: 'abort'; id: number }
  | { type: 'cleanup' };

/** An error as it crosses the process boundary. */
export interface WireError {
  message: string;
  code?: string;
}

export type FromPlugin =
  | { type: 'started' }
  | { type: 'ready' }
  | { type: 'initFailed'; error: WireError }
  | { type: 'result'; id: number; output: unknown }
  | { type: 'error'; id: number; error: WireError }
  | {
      type: 'log';
      level: 'debug' | 'info' | 'warn' | 'error';
      message: string;
      fields?: Record<string, unknown>;
    }
  | { type: 'cleanedUp' };
