export type { DeliveryAttempt, DeliveryLog, DeliveryRecord, DeliveryState } from './deliveryLog';
export {
  createDeliveryLog,
  defaultDeliveryLogOptions,
  type DeliveryLogOptions,
  type WebhookDeliveryLog,
} from './createDeliveryLog';
export { createSeenDeliveries, type SeenDeliveries } from './createSeenDeliveries';
export { listDeliveries, type DeliveryFilter } from './listDeliveries';
export { mountWebhookRoutes, type WebhookRoutesOptions } from './createWebhookRoutes';
export {
  DELIVERY_ID_HEADER,
  verifyWebhookSignature,
  webhookDigest,
} from './verifyWebhookSignature';
export {
  defaultWebhookSourceOptions,
  readWebhookSources,
  type WebhookSource,
  type WebhookSourceAction,
} from './webhookSources';
export { REFUSAL_REASONS, type RefusalReason } from './webhookRefusal';
