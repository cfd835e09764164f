import { runMain } from '../../lib/lifecycle';
import { startTraced } from '../../lib/telemetry';
import { operationsOptionsFromEnv } from './config';
import { startOperations } from './startOperations';

runMain('operations', async () => {
  const options = operationsOptionsFromEnv();
  return startTraced(options.platform.telemetry, 'operations', () => startOperations(options));
});
