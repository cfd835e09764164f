import { z } from 'zod';
import {
  parseConfig,
  portSchema,
  sharedEnvSchema,
  toPlatformOptions,
  type PlatformOptions,
} from '../../../lib/config';

const workflowEnvSchema = sharedEnvSchema.extend({
  WORKFLOW_PORT: portSchema(4003),
  HOST: z.string().default('127.0.0.1'),
});

/** Options of the workflow role. */
export interface WorkflowOptions {
  platform: PlatformOptions;
  port: number;
  host: string;
}

/** Parses and validates the workflow subgraph's environment once at start-up. */
export function workflowOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): WorkflowOptions {
  const parsed = parseConfig(workflowEnvSchema, env);
  return { platform: toPlatformOptions(parsed), port: parsed.WORKFLOW_PORT, host: parsed.HOST };
}
