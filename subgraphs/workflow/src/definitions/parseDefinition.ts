import { parse as parseYaml } from 'yaml';
import { DefinitionError } from '../errors';

/**
 * Parses definition text: JSON when it starts with `{`, otherwise YAML (JSON is YAML too, but
 * JSON's own parser gives better error positions for JSON input).
 */
export function parseDefinitionText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new DefinitionError('', 'definition is empty');
  try {
    return trimmed.startsWith('{')
      ? (JSON.parse(trimmed) as unknown)
      : (parseYaml(trimmed) as unknown);
  } catch (error) {
    throw new DefinitionError('', `not valid JSON or YAML: ${(error as Error).message}`);
  }
}
