import { badUserInput } from '../../../../lib/graphql';

// semver.org's official pattern (no leading zeros, optional pre-release and build).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
const TAG = /^[a-z0-9][a-z0-9:_-]{0,49}$/;

/** Registration fields checked before anything is written. */
export interface RegistrationInput {
  name: string;
  version: string;
  description?: string | null;
  tags?: string[] | null;
  dependencies?: string[] | null;
}

/** Throws BAD_USER_INPUT naming the first invalid field; returns normalised values. */
export function validateRegistration(input: RegistrationInput) {
  if (!NAME.test(input.name)) {
    throw badUserInput('input.name', 'expected a letter then up to 99 letters, digits, "_" or "-"');
  }
  if (!SEMVER.test(input.version))
    throw badUserInput('input.version', `"${input.version}" is not a semantic version`);
  const tags = [...new Set((input.tags ?? []).map((tag) => tag.trim().toLowerCase()))];
  const badTag = tags.find((tag) => !TAG.test(tag));
  if (badTag !== undefined) throw badUserInput('input.tags', `"${badTag}" is not a valid tag`);
  if (input.description != null && input.description.length > 5000) {
    throw badUserInput('input.description', 'at most 5000 characters');
  }
  const dependencies = [...new Set(input.dependencies ?? [])];
  return {
    name: input.name,
    version: input.version,
    description: input.description ?? undefined,
    tags,
    dependencies,
  };
}
