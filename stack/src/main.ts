import { runMain } from '../../lib/lifecycle';
import { startTraced } from '../../lib/telemetry';
import { stackOptionsFromEnv } from './config';
import { startStack } from './startStack';

runMain('stack', async () => {
  const options = stackOptionsFromEnv();
  // One process, one tracer provider: spans tell roles apart by their tracer (instrumentation scope).
  return startTraced(options.gateway.platform.telemetry, 'component-platform', async () => {
    const stack = await startStack(options);
    // The explorer (Sandbox, or GraphiQL offline) and the board: outside production by default;
    // the gateway's "ready" line names the explorer actually served.
    const production = options.gateway.env === 'production';
    const board = options.gateway.board ?? !production;
    const served = production ? 'GraphQL' : 'GraphQL and its explorer';
    const boardUrl = board ? `; the board at ${new URL('/board', stack.gatewayUrl).href}` : '';
    console.error(`[stack] all roles up; ${served} at ${stack.gatewayUrl}${boardUrl}`);
    return stack;
  });
});
