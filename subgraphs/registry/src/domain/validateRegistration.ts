import { badUserInput } from '../../../../lib/graphql';

// semver.org's official pattern (no leading zeros, optional pre-release and build).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** Is `version` a semantic version (semver.org 2.0.0, no `v` prefix)? */
export const isSemver = (version: string) => SEMVER.test(version);

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
const TAG = /^[a-z0-9][a-z0-9:_-]{0,49}$/;

/** Registration fields checked before anything is written. */
export interface RegistrationInput {
  name: string;
  version: string;
  description?: string | null;
  tags?: string[] | null;
  dependencies?: string[] | null;
  props?: unknown;
}

/** Lowercases, trims and de-duplicates tags; BAD_USER_INPUT on `input.tags` for an invalid one. */
export function normaliseTags(raw: string[]): string[] {
  const tags = [...new Set(raw.map((tag) => tag.trim().toLowerCase()))];
  const badTag = tags.find((tag) => !TAG.test(tag));
  if (badTag !== undefined) throw badUserInput('input.tags', `"${badTag}" is not a valid tag`);
  return tags;
}

/**
 * `props` must be a JSON object (a JSON Schema) when given; whether it is a valid schema is a
 * quality check, so components can be registered early and improved.
 */
export function validateProps(props: unknown): void {
  if (props == null) return;
  if (typeof props !== 'object' || Array.isArray(props)) {
    throw badUserInput('input.props', 'expected a JSON Schema object');
  }
}

/** Throws BAD_USER_INPUT naming the first invalid field; returns normalised values. */
export function validateRegistration(input: RegistrationInput) {
  if (!NAME.test(input.name)) {
    throw badUserInput('input.name', 'expected a letter then up to 99 letters, digits, "_" or "-"');
  }
  if (!SEMVER.test(input.version))
    throw badUserInput('input.version', `"${input.version}" is not a semantic version`);
  const tags = normaliseTags(input.tags ?? []);
  if (input.description != null && input.description.length > 5000) {
    throw badUserInput('input.description', 'at most 5000 characters');
  }
  validateProps(input.props);
  const dependencies = [...new Set(input.dependencies ?? [])];
  return {
    props: input.props ?? undefined,
    name: input.name,
    version: input.version,
    description: input.description ?? undefined,
    tags,
    dependencies,
  };
}
