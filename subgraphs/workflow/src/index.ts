export {
  workflowOptionsFromEnv,
  type WorkflowOptions,
  type WorkflowEngineSettings,
} from './config';
export { startWorkflow, type RunningWorkflow } from './startWorkflow';
export type { WorkflowRuntime, WorkflowRuntimeExtras } from './createWorkflowRuntime';
export type { WorkflowEngine } from './engine/createWorkflowEngine';
export type { ActionHandler, ActionContext } from './actions/types';
export { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './actions/webhookAction';
export { PROGRESS_EVENT_TYPES, EXECUTE_COMMAND, SIGNAL_EVENT } from './engine/runStore';
export { COMPONENT_PIPELINE } from './builtins/componentPipeline';
