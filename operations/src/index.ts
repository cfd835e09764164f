export { operationsOptionsFromEnv, type OperationsOptions } from './config';
export { startOperations, type RunningOperations } from './startOperations';
export {
  listDeadLetters,
  redriveDeadLetters,
  type DeadLetterFilter,
  type RedriveResult,
} from './operations';
