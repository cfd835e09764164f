export { createKafka, type KafkaOptions } from './createKafka';
export { createTopicsAndWait, type CreateTopicsAndWaitOptions } from './createTopicsAndWait';
export {
  DOMAIN_TOPICS,
  ensureTopics,
  topicNames,
  type DomainTopic,
  type EnsureTopicsOptions,
  type TopicNames,
} from './topics';
export { createPlatformKafka, type PlatformKafka } from './platformKafka';
