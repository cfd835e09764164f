export { gatewayOptionsFromEnv, type GatewayOptions } from './config';
export { startGateway, type RunningGateway } from './startGateway';
export {
  SubscriptionCloseCode,
  WORKFLOW_SUBSCRIPTION_FIELDS,
  type AuthorizeSubscription,
  type SubscriberIdentity,
  type SubscriptionFieldConfig,
} from './subscriptions';
