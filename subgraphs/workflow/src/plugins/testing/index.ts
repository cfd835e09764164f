/** What plugin authors import to test their plugin (docs/plugins.md, "Testing a plugin"). */
export {
  createPluginTestHarness,
  type PluginTestHarness,
  type PluginTestHarnessOptions,
} from './createPluginTestHarness';
export { PLUGIN_API_VERSION } from '../pluginManifest';
