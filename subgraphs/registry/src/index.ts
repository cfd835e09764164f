export { registryOptionsFromEnv, type RegistryOptions } from './config';
export { startRegistry, type RunningRegistry } from './startRegistry';
export {
  startRegistryCommands,
  type RegistryCommandsOptions,
  type RunningRegistryCommands,
} from './commands/startRegistryCommands';
export {
  createRegistryCommandHandlers,
  REGISTRY_COMMAND_TYPES,
  type RegistryCommandHandlerOptions,
} from './commands/createRegistryCommandHandlers';
