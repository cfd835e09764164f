export { registryOptionsFromEnv, type RegistryOptions } from './config';
export { startRegistry, type RunningRegistry } from './startRegistry';
