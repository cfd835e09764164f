import { runMain } from '../../../lib/lifecycle';
import { startTraced } from '../../../lib/telemetry';
import { intelligenceOptionsFromEnv } from './config';
import { startIntelligence } from './startIntelligence';

runMain('intelligence', async () => {
  const options = intelligenceOptionsFromEnv();
  return startTraced(options.platform.telemetry, 'intelligence', () => startIntelligence(options));
});
