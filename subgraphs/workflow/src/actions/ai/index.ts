export { createAiCompleteAction, AI_COMPLETE_ACTION } from './createAiCompleteAction';
export {
  defaultAiActionOptions,
  AI_PROVIDERS,
  type AiActionOptions,
  type AiProviderName,
  type AiProviderSettings,
  type ProjectContextSource,
} from './aiActionOptions';
export {
  AiActionError,
  isAiActionError,
  AI_ERROR_REASONS,
  type AiErrorReason,
} from './aiActionError';
