import { runMain } from '../../../lib/lifecycle';
import { workflowOptionsFromEnv } from './config';
import { startWorkflow } from './startWorkflow';

runMain('workflow', () => startWorkflow(workflowOptionsFromEnv()));
