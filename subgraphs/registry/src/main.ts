import { runMain } from '../../../lib/lifecycle';
import { startTraced } from '../../../lib/telemetry';
import { registryOptionsFromEnv } from './config';
import { startRegistry } from './startRegistry';

runMain('registry', async () => {
  const options = registryOptionsFromEnv();
  return startTraced(options.platform.telemetry, 'registry', () => startRegistry(options));
});
