export { stackOptionsFromEnv } from './config';
export { startStack, type RunningStack, type StackOptions } from './startStack';
