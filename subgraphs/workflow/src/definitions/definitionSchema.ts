import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { REPO_ROOT } from '../../../../lib/graphql';
import { DefinitionError } from '../errors';
import type { WorkflowSpec } from './types';

/** Where the published JSON Schema of definitions lives. */
export const DEFINITION_SCHEMA_PATH = join(
  REPO_ROOT,
  'schema',
  'workflows',
  'definition.schema.json',
);

let compiled: ValidateFunction | undefined;

/** The definition validator, compiled once per process (ajv compilation is the expensive part). */
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(DEFINITION_SCHEMA_PATH, 'utf8')) as object,
  );
  return compiled;
}

/** Turns one ajv error into a message that names the offending property. */
function describeError(error: ErrorObject): { path: string; message: string } {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties')
    return {
      path: `${error.instancePath}/${String(params.additionalProperty)}`,
      message: 'is not allowed here',
    };
  if (error.keyword === 'required')
    return {
      path: `${error.instancePath}/${String(params.missingProperty)}`,
      message: 'is required',
    };
  if (error.keyword === 'enum')
    return {
      path: error.instancePath,
      message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}`,
    };
  return { path: error.instancePath, message: error.message ?? 'is invalid' };
}

/**
 * Validates the structure of a definition against the published schema; throws a
 * DefinitionError naming the most specific problem (the deepest path).
 */
export function assertDefinitionShape(value: unknown): asserts value is WorkflowSpec {
  const validate = validator();
  if (validate(value)) return;
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  const described = errors.map(describeError);
  described.sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  const first = described[0] ?? { path: '', message: 'is invalid' };
  throw new DefinitionError(first.path, first.message);
}
