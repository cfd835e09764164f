import { runMain } from '../../lib/lifecycle';
import { startTraced } from '../../lib/telemetry';
import { stackOptionsFromEnv } from './config';
import { startStack } from './startStack';

runMain('stack', async () => {
  const options = stackOptionsFromEnv();
  // One process, one tracer provider: spans tell roles apart by their tracer (instrumentation scope).
  return startTraced(options.gateway.platform.telemetry, 'component-platform', async () => {
    const stack = await startStack(options);
    // Sandbox is served in development only (see gateway/src/landingPage.ts).
    const served = options.gateway.env === 'production' ? 'GraphQL' : 'GraphQL and Apollo Sandbox';
    console.error(`[stack] all roles up; ${served} at ${stack.gatewayUrl}`);
    return stack;
  });
});
