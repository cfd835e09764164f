import { createStepSchemaCompiler, describeSchemaErrors } from '../stepSchemas';
import { ScriptOutputError, ScriptInputError } from './scriptErrors';

/** Checks a script's parsed stdout against a step-level JSON Schema. */
export type OutputValidator = (script: string, schema: object, value: unknown) => void;

/** Creates a validator that compiles each distinct schema once (ajv, all errors reported). */
export function createOutputValidator(): OutputValidator {
  const compileSchema = createStepSchemaCompiler();
  const compile = (script: string, schema: object) => {
    try {
      return compileSchema(schema);
    } catch (error) {
      throw new ScriptInputError(
        'BAD_USER_INPUT',
        script,
        `outputSchema is not a valid JSON Schema: ${(error as Error).message}`,
      );
    }
  };
  return (script, schema, value) => {
    const validate = compile(script, schema);
    if (validate(value)) return;
    throw new ScriptOutputError(
      'SCHEMA',
      script,
      `output breaks the step's outputSchema: ${describeSchemaErrors(validate.errors)}`,
    );
  };
}
