import { validateUpdate } from '../../../subgraphs/registry/src/domain/validateUpdate';
import type { ComponentDoc } from '../../../subgraphs/registry/src/models/Component';

const current = {
  _id: 'c1',
  name: 'Card',
  type: 'MOLECULE',
  version: '1.2.0',
  description: 'old',
  tags: ['ui'],
  dependencies: ['a'],
  deprecated: false,
} as ComponentDoc;

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions: { field: string } }).extensions.field;
  }
  return undefined;
};

describe('validateUpdate', () => {
  it('should return only the fields that change, normalised', () => {
    expect(
      validateUpdate(current, {
        version: '1.3.0-beta.1',
        tags: [' UI '],
        description: null,
        dependencies: ['a', 'b', 'b'],
      }),
    ).toEqual({ version: '1.3.0-beta.1', description: null, dependencies: ['a', 'b'] });
  });

  it('should refuse a version that is not semver or goes below the current one', () => {
    expect(fieldOf(() => validateUpdate(current, { version: '1.2' }))).toBe('input.version');
    expect(fieldOf(() => validateUpdate(current, { version: 'v1.3.0' }))).toBe('input.version');
    expect(fieldOf(() => validateUpdate(current, { version: '1.1.9' }))).toBe('input.version');
    expect(fieldOf(() => validateUpdate(current, { version: '1.2.0-rc.1' }))).toBe('input.version');
  });

  it('should refuse null for fields that cannot be cleared, bad tags and non-object props', () => {
    expect(fieldOf(() => validateUpdate(current, { tags: null }))).toBe('input.tags');
    expect(fieldOf(() => validateUpdate(current, { tags: ['no spaces'] }))).toBe('input.tags');
    expect(fieldOf(() => validateUpdate(current, { props: 'x' }))).toBe('input.props');
  });
});
