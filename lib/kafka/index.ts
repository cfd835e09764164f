export { createKafka, type KafkaOptions } from './createKafka';
export {
  DOMAIN_TOPICS,
  ensureTopics,
  topicNames,
  type DomainTopic,
  type EnsureTopicsOptions,
  type TopicNames,
} from './topics';
export { createPlatformKafka, type PlatformKafka } from './platformKafka';
