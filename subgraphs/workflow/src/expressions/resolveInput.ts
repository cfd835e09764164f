import { createExpression } from './createExpression';

/** Data expressions in step inputs see: the run input and the outputs of finished steps. */
export interface ExpressionScope {
  input: unknown;
  outputs: Record<string, unknown>;
  [name: string]: unknown;
}

/** Replaces every `=`-prefixed string in an action input by the value of its JSONata expression. */
export async function resolveInput(value: unknown, scope: ExpressionScope): Promise<unknown> {
  if (typeof value === 'string' && value.startsWith('='))
    return createExpression(value.slice(1)).evaluate(scope);
  if (Array.isArray(value)) return Promise.all(value.map((item) => resolveInput(item, scope)));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(
        async ([key, item]) => [key, await resolveInput(item, scope)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  return value;
}
