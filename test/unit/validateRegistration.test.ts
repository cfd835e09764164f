import { validateRegistration } from '../../subgraphs/registry/src/domain/validateRegistration';

const valid = { name: 'PrimaryButton', version: '1.2.3-beta.1+build.5' };

describe('validateRegistration', () => {
  it('should accept a valid registration and normalise tags and dependencies', () => {
    expect(
      validateRegistration({
        ...valid,
        tags: [' UI ', 'ui', 'form'],
        dependencies: ['a', 'a', 'b'],
      }),
    ).toEqual({
      name: 'PrimaryButton',
      version: '1.2.3-beta.1+build.5',
      description: undefined,
      tags: ['ui', 'form'],
      dependencies: ['a', 'b'],
    });
  });

  it.each([
    ['input.version', { ...valid, version: '1.0' }],
    ['input.version', { ...valid, version: '01.0.0' }],
    ['input.name', { ...valid, name: '9lives' }],
    ['input.name', { ...valid, name: 'has space' }],
    ['input.tags', { ...valid, tags: ['bad tag!'] }],
    ['input.description', { ...valid, description: 'x'.repeat(5001) }],
  ])('should refuse with BAD_USER_INPUT naming %s', (field, input) => {
    expect(() => validateRegistration(input)).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      }),
    );
  });
});
