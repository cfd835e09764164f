import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

/** ajv's errors as one line: `/path message; …`. */
export const describeSchemaErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');

/** Compiles a JSON Schema; throws ajv's error when it is not a valid schema. */
export type CompileSchema = (schema: object) => ValidateFunction;

/**
 * Creates the compiler of schemas that steps give at run time (`outputSchema`, `validate`): one
 * ajv, each distinct schema compiled once (a definition has a handful; the cache is bounded).
 */
export function createStepSchemaCompiler(maxCompiled = 200): CompileSchema {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const compiled = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(schema);
      if (compiled.size >= maxCompiled) compiled.clear();
      compiled.set(key, validate);
    }
    return validate;
  };
}
