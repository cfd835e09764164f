export {
  listDeadLetters,
  redriveDeadLetters,
  type DeadLetterFilter,
  type RedriveResult,
} from './deadLetters';
export { readTopic, type ReadTopicOptions, type TopicRecord } from './readTopic';
export { replayFromTimestamp, type ReplayOptions, type ReplayResult } from './replay';
