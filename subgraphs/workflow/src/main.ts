import { runMain } from '../../../lib/lifecycle';
import { startTraced } from '../../../lib/telemetry';
import { workflowOptionsFromEnv } from './config';
import { startWorkflow } from './startWorkflow';

runMain('workflow', async () => {
  const options = workflowOptionsFromEnv();
  return startTraced(options.platform.telemetry, 'workflow', () => startWorkflow(options));
});
