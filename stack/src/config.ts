import { operationsOptionsFromEnv } from '../../operations/src';
import { gatewayOptionsFromEnv } from '../../gateway/src';
import { intelligenceOptionsFromEnv } from '../../subgraphs/intelligence/src';
import { registryOptionsFromEnv } from '../../subgraphs/registry/src';
import { workflowOptionsFromEnv } from '../../subgraphs/workflow/src';
import type { StackOptions } from './startStack';

/** Parses every role's configuration from one environment, once. */
export function stackOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): StackOptions {
  return {
    registry: registryOptionsFromEnv(env),
    intelligence: intelligenceOptionsFromEnv(env),
    workflow: workflowOptionsFromEnv(env),
    operations: operationsOptionsFromEnv(env),
    gateway: gatewayOptionsFromEnv(env),
  };
}
