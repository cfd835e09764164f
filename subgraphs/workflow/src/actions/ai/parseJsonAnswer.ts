import type { ValidateFunction } from 'ajv';
import { describeSchemaErrors } from '../stepSchemas';

/** A completion checked against a JSON Schema: its value, or why it does not match. */
export type JsonAnswer = { ok: true; value: unknown } | { ok: false; errors: string };

const FENCE = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i;

/** Parses a completion as JSON (a surrounding ``` fence is tolerated) and validates it. */
export function parseJsonAnswer(text: string, validate: ValidateFunction): JsonAnswer {
  const trimmed = text.trim();
  const unfenced = FENCE.exec(trimmed)?.[1] ?? trimmed;
  let value: unknown;
  try {
    value = JSON.parse(unfenced);
  } catch (error) {
    return { ok: false, errors: `the answer is not JSON (${(error as Error).message})` };
  }
  if (validate(value)) return { ok: true, value };
  return { ok: false, errors: describeSchemaErrors(validate.errors) };
}
