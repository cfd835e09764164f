import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../../../../lib/logging';
import { createActionRegistry } from '../../actions/createActionRegistry';
import { createPluginSet, type PluginView } from '../createPluginSet';
import { MANIFEST_FILE, type PluginCapabilities } from '../pluginManifest';
import { defaultPluginLimits, type PluginLimits } from '../pluginSettings';

/** Options of {@link createPluginTestHarness}. */
export interface PluginTestHarnessOptions {
  /** The plugin's folder (with its `plugin.json`). */
  folder: string;
  /** Its configuration, checked against its `configSchema` as at load. @default {} */
  config?: unknown;
  /** What the operator grants. @default everything its manifest asks for */
  grant?: PluginCapabilities;
  limits?: Partial<PluginLimits>;
  /** @default a silent logger */
  logger?: Logger;
}

/** A plugin loaded exactly as the workflow role loads it, for its author's tests. */
export interface PluginTestHarness {
  /** Runs an action (its short name) as a step would: input and output checked against the manifest. */
  run(action: string, input: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  /** The plugin as the `plugins` query lists it: status, reason, counters. */
  view(): PluginView;
  /** Runs `cleanup` and ends the plugin's process. */
  stop(): Promise<void>;
}

/**
 * Loads a plugin in its sandbox with the given configuration; throws the refusal's reason when
 * the workflow role would refuse it (manifest, API range, capabilities, configuration).
 */
export async function createPluginTestHarness(
  options: PluginTestHarnessOptions,
): Promise<PluginTestHarness> {
  const asked = JSON.parse(readFileSync(join(options.folder, MANIFEST_FILE), 'utf8')) as {
    capabilities?: PluginCapabilities;
  };
  const memoryMb = options.limits?.memoryMb ?? defaultPluginLimits.memoryMb;
  const plugins = createPluginSet({
    entries: [
      {
        source: options.folder,
        folder: options.folder,
        config: options.config ?? {},
        grant: options.grant ?? asked.capabilities ?? {},
        limits: { ...defaultPluginLimits, rssMb: memoryMb + 128, ...options.limits },
      },
    ],
    reservedActionNames: [],
    logger: options.logger ?? createLogger({ name: 'plugin-test', level: 'silent' }),
  });
  const [view] = plugins.list();
  if (view?.status === 'REFUSED') throw new Error(`plugin refused: ${view.reason}`);
  await plugins.start();
  const registry = createActionRegistry(plugins.actions);
  let attempt = 0;
  return {
    async run(action, input, runOptions = {}) {
      attempt += 1;
      const outcome = await registry.execute(`${view!.name}.${action}`, input, {
        runId: 'plugin-test',
        stepId: action,
        attempt,
        componentIds: [],
        logger: options.logger ?? createLogger({ name: 'plugin-test', level: 'silent' }),
        ...(runOptions.timeoutMs !== undefined && { timeoutMs: runOptions.timeoutMs }),
      });
      return outcome.output;
    },
    view: () => plugins.list()[0]!,
    stop: () => plugins.stop(),
  };
}
