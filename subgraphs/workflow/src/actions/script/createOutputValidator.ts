import Ajv, { type ValidateFunction } from 'ajv';
import { ScriptOutputError, ScriptInputError } from './scriptErrors';

/** Checks a script's parsed stdout against a step-level JSON Schema. */
export type OutputValidator = (script: string, schema: object, value: unknown) => void;

/** How many distinct step schemas stay compiled (a definition has a handful). */
const MAX_COMPILED_SCHEMAS = 200;

/** Creates a validator that compiles each distinct schema once (ajv, all errors reported). */
export function createOutputValidator(): OutputValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const compiled = new Map<string, ValidateFunction>();
  const compile = (script: string, schema: object) => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) {
      try {
        validate = ajv.compile(schema);
      } catch (error) {
        throw new ScriptInputError(
          'BAD_USER_INPUT',
          script,
          `outputSchema is not a valid JSON Schema: ${(error as Error).message}`,
        );
      }
      if (compiled.size >= MAX_COMPILED_SCHEMAS) compiled.clear();
      compiled.set(key, validate);
    }
    return validate;
  };
  return (script, schema, value) => {
    const validate = compile(script, schema);
    if (validate(value)) return;
    const problems = (validate.errors ?? [])
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
      .join('; ');
    throw new ScriptOutputError(
      'SCHEMA',
      script,
      `output breaks the step's outputSchema: ${problems}`,
    );
  };
}
