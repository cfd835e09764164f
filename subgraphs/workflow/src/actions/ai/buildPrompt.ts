/** The parts a prompt is assembled from. */
export interface PromptParts {
  prompt: string;
  /** Project context (`enhance`), rendered as JSON before the task. */
  context?: unknown;
  /** Longest context JSON kept (characters). */
  maxContextChars: number;
  /** JSON Schema the answer must match (`validate`). */
  schema?: object;
  /** Validation errors of the previous answer, to be corrected. */
  previousErrors?: string;
}

const truncate = (text: string, max: number) =>
  text.length <= max
    ? text
    : `${text.slice(0, max)}\n… (truncated, ${text.length - max} more characters)`;

/** The user message: project context, the task, the schema to answer with and last errors. */
export function buildPrompt({
  prompt,
  context,
  maxContextChars,
  schema,
  previousErrors,
}: PromptParts): string {
  const sections: string[] = [];
  if (context !== undefined)
    sections.push(
      `Project context (JSON):\n${truncate(JSON.stringify(context, null, 2), maxContextChars)}`,
      `Task:\n${prompt}`,
    );
  else sections.push(prompt);
  if (schema)
    sections.push(
      `Answer with only a JSON value (no prose, no code fence) that matches this JSON Schema:\n${JSON.stringify(schema)}`,
    );
  if (previousErrors)
    sections.push(
      `Your previous answer was rejected by the schema validation: ${previousErrors}\nCorrect it.`,
    );
  return sections.join('\n\n');
}
