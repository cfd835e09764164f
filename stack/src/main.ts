import { runMain } from '../../lib/lifecycle';
import { startTraced } from '../../lib/telemetry';
import { stackOptionsFromEnv } from './config';
import { startStack } from './startStack';

runMain('stack', async () => {
  const options = stackOptionsFromEnv();
  // One process, one tracer provider: spans tell roles apart by their tracer (instrumentation scope).
  return startTraced(options.gateway.platform.telemetry, 'component-platform', async () => {
    const stack = await startStack(options);
    console.error(`[stack] all roles up; GraphQL (and Apollo Sandbox) at ${stack.gatewayUrl}`);
    return stack;
  });
});
