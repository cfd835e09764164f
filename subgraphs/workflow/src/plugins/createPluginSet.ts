import type { Logger } from '../../../../lib/logging';
import type { ActionHandler } from '../actions/types';
import { createPluginMetrics, type PluginMetrics } from './pluginMetrics';
import { createPluginRunner, type PluginCounters, type PluginRunner } from './createPluginRunner';
import { loadPlugins, type RefusedPlugin } from './loadPlugins';
import type { PluginEntry } from './pluginSettings';

/** A plugin as the `plugins` query lists it (schema/workflow.graphql, `Plugin`). */
export interface PluginView {
  name: string;
  version?: string;
  source: string;
  status: 'STARTING' | 'ACTIVE' | 'FAILED' | 'REFUSED';
  reason?: string;
  apiVersion?: string;
  actions: {
    name: string;
    description: string;
    inputSchema: object;
    outputSchema: object;
    timeoutMs: number;
  }[];
  allowedHosts: string[];
  limits?: { memoryMb: number; rssMb: number; timeoutMs: number };
  counters: PluginCounters & { meanDurationMs: number | null };
}

/** The role's plugins: their actions, their state, and their processes. */
export interface PluginSet {
  /** One action per plugin action, named `<plugin>.<action>`. */
  actions: ActionHandler[];
  list(): PluginView[];
  metrics: PluginMetrics;
  /** Starts every loaded plugin's process and runs its `init` (failures are listed, not thrown). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link createPluginSet}. */
export interface PluginSetOptions {
  entries: readonly PluginEntry[];
  /** Names of actions that exist already: a plugin action may not shadow one. */
  reservedActionNames: readonly string[];
  logger: Logger;
}

const zeroCounters = (): PluginView['counters'] => ({
  executions: 0,
  failures: 0,
  timeouts: 0,
  restarts: 0,
  totalDurationMs: 0,
  meanDurationMs: null,
});

function viewOf(runner: PluginRunner): PluginView {
  const { plugin } = runner;
  const state = runner.status();
  const counters = runner.counters();
  return {
    name: plugin.name,
    version: plugin.version,
    source: plugin.source,
    status: state.state,
    ...(state.reason && { reason: state.reason }),
    apiVersion: plugin.manifest.apiVersion,
    actions: actionsOf(runner).map((action) => ({
      name: action.name,
      description: action.description,
      inputSchema: action.inputSchema,
      outputSchema: action.outputSchema,
      timeoutMs: action.timeoutMs!,
    })),
    allowedHosts: plugin.capabilities.http?.hosts ?? [],
    limits: {
      memoryMb: plugin.limits.memoryMb,
      rssMb: plugin.limits.rssMb,
      timeoutMs: plugin.limits.timeoutMs,
    },
    counters: {
      ...counters,
      meanDurationMs: counters.executions ? counters.totalDurationMs / counters.executions : null,
    },
  };
}

function actionsOf(runner: PluginRunner): ActionHandler[] {
  const { plugin } = runner;
  return Object.entries(plugin.manifest.actions).map(([action, spec]) => ({
    name: `${plugin.name}.${action}`,
    description: spec.description || `${action} of plugin ${plugin.name} ${plugin.version}`,
    inputSchema: spec.inputSchema,
    outputSchema: spec.outputSchema,
    timeoutMs: Math.min(spec.timeoutMs ?? plugin.limits.timeoutMs, plugin.limits.timeoutMs),
    run: (input, ctx) =>
      runner.execute(action, input, {
        runId: ctx.runId,
        stepId: ctx.stepId,
        attempt: ctx.attempt,
        signal: ctx.signal,
      }),
  }));
}

/** Loads the configured plugins and wraps each loaded one in a sandboxed runner. */
export function createPluginSet({
  entries,
  reservedActionNames,
  logger,
}: PluginSetOptions): PluginSet {
  const metrics = createPluginMetrics();
  const reserved = new Set(reservedActionNames);
  const runners: PluginRunner[] = [];
  const refused: RefusedPlugin[] = [];
  for (const result of loadPlugins(entries)) {
    if (result.status === 'REFUSED') {
      refused.push(result.refused);
      continue;
    }
    const { plugin } = result;
    const clash = Object.keys(plugin.manifest.actions)
      .map((action) => `${plugin.name}.${action}`)
      .find((name) => reserved.has(name));
    if (clash) {
      refused.push({
        name: plugin.name,
        version: plugin.version,
        source: plugin.source,
        reason: `action ${clash} would shadow an existing action`,
      });
      continue;
    }
    runners.push(createPluginRunner({ plugin, logger, metrics }));
  }
  for (const plugin of refused)
    logger.warn(
      { plugin: plugin.name, source: plugin.source, reason: plugin.reason },
      'plugin refused',
    );

  return {
    actions: runners.flatMap(actionsOf),
    metrics,
    list: () => [
      ...runners.map(viewOf),
      ...refused.map((plugin): PluginView => ({
        ...plugin,
        status: 'REFUSED',
        actions: [],
        allowedHosts: [],
        counters: zeroCounters(),
      })),
    ],
    start: async () => {
      await Promise.all(runners.map((runner) => runner.start()));
    },
    stop: async () => {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}
