import { Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of the plugins of one role. */
export interface PluginMetrics {
  registry: Registry;
  executions: Counter<'plugin' | 'action' | 'outcome'>;
  seconds: Histogram<'plugin' | 'action'>;
  restarts: Counter<'plugin'>;
}

/** Creates the plugin metrics on their own registry (merged into the role's `/metrics`). */
export function createPluginMetrics(registry: Registry = new Registry()): PluginMetrics {
  return {
    registry,
    executions: new Counter({
      name: 'workflow_plugin_executions_total',
      help: 'Plugin action executions by outcome (ok, error, timeout).',
      labelNames: ['plugin', 'action', 'outcome'],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'workflow_plugin_execution_seconds',
      help: 'Duration of plugin action executions, process start included.',
      labelNames: ['plugin', 'action'],
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    restarts: new Counter({
      name: 'workflow_plugin_restarts_total',
      help: 'Plugin processes killed at a limit or ended unexpectedly.',
      labelNames: ['plugin'],
      registers: [registry],
    }),
  };
}
