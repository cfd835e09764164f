import jsonata from 'jsonata';
import { WorkflowError } from '../errors';

/** Limits of one evaluation; JSONata has recursion (and tail calls), so loops must be cut off. */
export interface ExpressionLimits {
  /** @default 100 */
  timeoutMs?: number;
  /** Maximum evaluation depth. @default 200 */
  maxDepth?: number;
}

/** A compiled expression that can be evaluated many times. */
export interface CompiledExpression {
  source: string;
  evaluate(data: unknown): Promise<unknown>;
}

const defaultLimits = { timeoutMs: 100, maxDepth: 200 } satisfies Required<ExpressionLimits>;

/**
 * Compiles a JSONata expression. JSONata is a side-effect-free query language: it cannot reach
 * JavaScript globals, `require`, `process` or prototypes, so user conditions are never `eval`ed.
 * Throws a WorkflowError (EXPRESSION_FAILED) on a syntax error.
 */
export function createExpression(
  source: string,
  limits: ExpressionLimits = {},
): CompiledExpression {
  const { timeoutMs, maxDepth } = { ...defaultLimits, ...limits };
  let expression: jsonata.Expression;
  try {
    // JSONata's own guardrails stop runaway recursion (it has tail calls, so loops are possible).
    expression = jsonata(source, { timeout: timeoutMs, stack: maxDepth });
  } catch (error) {
    throw new WorkflowError('EXPRESSION_FAILED', `invalid expression: ${describe(error)}`);
  }
  return {
    source,
    async evaluate(data) {
      try {
        return await expression.evaluate(data);
      } catch (error) {
        throw new WorkflowError('EXPRESSION_FAILED', `expression failed: ${describe(error)}`);
      }
    },
  };
}

/** JSONata throws plain objects with `message`; normalise for error texts. */
function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

/** JSONata truthiness as a decision needs it: empty sequences and undefined are false. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
