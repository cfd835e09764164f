export { workflowOptionsFromEnv, type WorkflowOptions } from './config';
export { startWorkflow } from './startWorkflow';
