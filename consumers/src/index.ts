export { consumersOptionsFromEnv, type ConsumersOptions } from './config';
export { startConsumers, type RunningConsumers } from './startConsumers';
