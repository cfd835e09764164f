import type { z } from 'zod';

/** Raised when configuration (usually the environment) fails validation at start-up. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  - ${issues.join('\n  - ')}`);
  }
}

/** Parses `source` (default: the process environment) with `schema`, or throws a ConfigError listing every problem. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      return `${key}: ${issue.message} (got: ${JSON.stringify(source[key as string] ?? null)})`;
    }),
  );
}
