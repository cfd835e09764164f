import Ajv from 'ajv';
import type { QualityCheckResult } from '../models/Component';

/** Score at or above which a report passes (emits `quality.passed`). */
export const QUALITY_PASS_SCORE = 80;
/** Shortest description that counts as present. */
export const MIN_DESCRIPTION = 10;

/** What the checks look at. */
export interface QualitySubject {
  description?: string | null;
  props?: unknown;
  dependencies: string[];
}

/** State of one dependency as the registry sees it (missing when deleted or unknown). */
export interface DependencyState {
  deprecated: boolean;
  name: string;
}

/** Score, verdict and per-check results of one validation. */
export interface QualityOutcome {
  score: number;
  passed: boolean;
  checks: QualityCheckResult[];
}

// strict: false so unknown keywords (e.g. `x-ui-widget`) are allowed, as JSON Schema itself allows them.
const ajv = new Ajv({ strict: false, allErrors: true });

/** Why `props` is not a usable JSON Schema, or undefined when it is one. */
export function jsonSchemaProblem(props: unknown): string | undefined {
  if (props === undefined || props === null) return 'no props schema declared';
  if (typeof props !== 'object' && typeof props !== 'boolean') return 'expected an object';
  if (!ajv.validateSchema(props as object)) return ajv.errorsText(ajv.errors, { dataVar: 'props' });
  try {
    ajv.compile(props as object);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Runs the registry's rule checks. Weights sum to 100, so the score is the weight of what passed.
 * `dependencies` maps each dependency id to its state; an absent id is unresolvable.
 */
export function runQualityChecks(
  subject: QualitySubject,
  dependencies: Map<string, DependencyState>,
): QualityOutcome {
  const description = subject.description?.trim() ?? '';
  const propsProblem = jsonSchemaProblem(subject.props);
  const missing = subject.dependencies.filter((id) => !dependencies.has(id));
  const deprecated = subject.dependencies
    .map((id) => dependencies.get(id))
    .filter((dep): dep is DependencyState => dep?.deprecated === true)
    .map((dep) => dep.name);
  const checks: QualityCheckResult[] = [
    {
      name: 'description-present',
      weight: 25,
      passed: description.length >= MIN_DESCRIPTION,
      ...(description.length < MIN_DESCRIPTION && {
        message: `expected a description of at least ${MIN_DESCRIPTION} characters`,
      }),
    },
    {
      name: 'props-json-schema',
      weight: 25,
      passed: propsProblem === undefined,
      ...(propsProblem && { message: propsProblem }),
    },
    {
      name: 'dependencies-resolvable',
      weight: 30,
      passed: missing.length === 0,
      ...(missing.length > 0 && { message: `unresolvable: ${missing.join(', ')}` }),
    },
    {
      name: 'no-deprecated-dependencies',
      weight: 20,
      passed: deprecated.length === 0,
      ...(deprecated.length > 0 && { message: `deprecated: ${deprecated.join(', ')}` }),
    },
  ];
  const score = checks.reduce((sum, check) => sum + (check.passed ? check.weight : 0), 0);
  return { score, passed: score >= QUALITY_PASS_SCORE, checks };
}
