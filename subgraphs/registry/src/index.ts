export { registryOptionsFromEnv, type RegistryOptions } from './config';
export { startRegistry, type RunningRegistry } from './startRegistry';
export {
  createRegistryCommandGroup,
  type RegistryCommandGroup,
} from './commands/createRegistryCommandGroup';
export {
  createRegistryCommandHandlers,
  REGISTRY_COMMAND_TYPES,
  type RegistryCommandHandlerOptions,
} from './commands/createRegistryCommandHandlers';
