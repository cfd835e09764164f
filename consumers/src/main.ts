import { runMain } from '../../lib/lifecycle';
import { startTraced } from '../../lib/telemetry';
import { consumersOptionsFromEnv } from './config';
import { startConsumers } from './startConsumers';

runMain('consumers', async () => {
  const options = consumersOptionsFromEnv();
  return startTraced(options.platform.telemetry, 'consumers', () => startConsumers(options));
});
