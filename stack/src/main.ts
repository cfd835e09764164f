import { runMain } from '../../lib/lifecycle';
import { stackOptionsFromEnv } from './config';
import { startStack } from './startStack';

runMain('stack', async () => {
  const stack = await startStack(stackOptionsFromEnv());
  console.error(`[stack] all roles up; GraphQL (and Apollo Sandbox) at ${stack.gatewayUrl}`);
  return stack;
});
