export { consumersOptionsFromEnv, type ConsumersOptions } from './config';
export { startConsumers, type RunningConsumers } from './startConsumers';
export {
  listDeadLetters,
  redriveDeadLetters,
  replayFromTimestamp,
  type DeadLetterFilter,
  type RedriveResult,
  type ReplayResult,
} from './operations';
