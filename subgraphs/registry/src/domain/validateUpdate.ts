import semver from 'semver';
import { badUserInput } from '../../../../lib/graphql';
import { COMPONENT_TYPES, type ComponentDoc, type ComponentType } from '../models/Component';
import { isSemver, normaliseTags, validateProps } from './validateRegistration';

/** Fields `updateComponent` may change; absent (undefined) means unchanged. */
export interface UpdateFields {
  type?: ComponentType | null;
  version?: string | null;
  description?: string | null;
  tags?: string[] | null;
  props?: unknown;
  dependencies?: string[] | null;
  deprecated?: boolean | null;
}

/**
 * Validates an update against the current document and returns only the fields that really change.
 * Throws BAD_USER_INPUT naming the field: the version must be semver and not go below the current
 * one; `null` is refused for fields that cannot be cleared.
 */
export function validateUpdate(current: ComponentDoc, input: UpdateFields): Partial<ComponentDoc> {
  const changes: Partial<ComponentDoc> = {};
  for (const field of ['type', 'version', 'tags', 'dependencies', 'deprecated'] as const) {
    if (input[field] === null) throw badUserInput(`input.${field}`, 'cannot be null');
  }
  if (input.type != null && input.type !== current.type) {
    if (!COMPONENT_TYPES.includes(input.type)) throw badUserInput('input.type', 'unknown type');
    changes.type = input.type;
  }
  if (input.version != null && input.version !== current.version) {
    if (!isSemver(input.version)) {
      throw badUserInput('input.version', `"${input.version}" is not a semantic version`);
    }
    if (semver.lt(input.version, current.version)) {
      throw badUserInput('input.version', `must not go below the current ${current.version}`);
    }
    changes.version = input.version;
  }
  if (input.description !== undefined && input.description !== (current.description ?? null)) {
    if (input.description != null && input.description.length > 5000) {
      throw badUserInput('input.description', 'at most 5000 characters');
    }
    changes.description = input.description ?? null;
  }
  if (input.tags != null) {
    const tags = normaliseTags(input.tags);
    if (tags.join() !== current.tags.join()) changes.tags = tags;
  }
  if (input.props !== undefined) {
    validateProps(input.props);
    if (JSON.stringify(input.props) !== JSON.stringify(current.props ?? null)) {
      changes.props = input.props ?? null;
    }
  }
  if (input.dependencies != null) {
    const dependencies = [...new Set(input.dependencies)];
    if (dependencies.join() !== current.dependencies.join()) changes.dependencies = dependencies;
  }
  if (input.deprecated != null && input.deprecated !== current.deprecated) {
    changes.deprecated = input.deprecated;
  }
  return changes;
}
