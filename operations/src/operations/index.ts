export {
  listDeadLetters,
  redriveDeadLetters,
  type DeadLetterFilter,
  type RedriveResult,
} from './deadLetters';
export {
  createReplayJobs,
  type ReplayJob,
  type ReplayJobs,
  type ReplayJobsOptions,
} from './replayJobs';
