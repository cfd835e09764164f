export { consumersOptionsFromEnv, type ConsumersOptions } from './config';
export { startConsumers, type RunningConsumers } from './startConsumers';
export {
  listDeadLetters,
  redriveDeadLetters,
  type DeadLetterFilter,
  type RedriveResult,
} from './operations';
