import { COMPONENT_PIPELINE } from '../../../subgraphs/workflow/src';
import { parseDefinitionText } from '../../../subgraphs/workflow/src/definitions/parseDefinition';
import { validateDefinition } from '../../../subgraphs/workflow/src/definitions/validateDefinition';
import { DefinitionError } from '../../../subgraphs/workflow/src/errors';

const actions = {
  has: (name: string) =>
    ['test.echo', 'event.emit', 'component.register', 'component.validate'].includes(name),
};
const base = {
  id: 'demo',
  version: '1.0.0',
  name: 'Demo',
  steps: [{ id: 'a', type: 'action', action: 'test.echo' }],
};

function problem(definition: unknown): { path: string; detail: string } {
  try {
    validateDefinition(definition, actions);
  } catch (error) {
    if (error instanceof DefinitionError) return { path: error.path, detail: error.detail };
    throw error;
  }
  throw new Error('expected the definition to be refused');
}

describe('validateDefinition', () => {
  it('should accept the built-in component pipeline', () => {
    expect(validateDefinition(COMPONENT_PIPELINE, actions).steps.map((s) => s.id)).toEqual([
      'blueprints',
      'style',
      'pages',
      'components',
      'code',
      'quality',
    ]);
  });

  it('should name the path of an unknown action, also in compensations and branches', () => {
    expect(problem({ ...base, steps: [{ id: 'a', type: 'action', action: 'nope' }] })).toEqual({
      path: '/steps/0/action',
      detail: 'unknown action "nope"',
    });
    expect(
      problem({
        ...base,
        steps: [
          { id: 'a', type: 'action', action: 'test.echo', compensation: { action: 'undo.nope' } },
        ],
      }).path,
    ).toBe('/steps/0/compensation/action');
    expect(
      problem({
        ...base,
        steps: [{ id: 'p', type: 'parallel', branches: [{ id: 'x', action: 'nope' }] }],
      }).path,
    ).toBe('/steps/0/branches/0/action');
  });

  it('should refuse unknown targets, duplicate ids and self loops', () => {
    expect(
      problem({
        ...base,
        steps: [{ id: 'a', type: 'action', action: 'test.echo', onError: 'zz' }],
      }),
    ).toEqual({
      path: '/steps/0/onError',
      detail: 'unknown step "zz"',
    });
    expect(problem({ ...base, steps: [base.steps[0], base.steps[0]] }).path).toBe('/steps/1/id');
    expect(
      problem({ ...base, steps: [{ id: 'a', type: 'action', action: 'test.echo', next: 'a' }] })
        .path,
    ).toBe('/steps/0/next');
  });

  it('should refuse missing fields, bad versions and wrong step types by their path', () => {
    expect(problem({ ...base, version: 'v1' }).path).toBe('/version');
    expect(problem({ ...base, steps: [{ id: 'h', type: 'approval', timeoutMs: 10 }] })).toEqual({
      path: '/steps/0/assignee',
      detail: 'is required',
    });
    expect(problem({ ...base, steps: [{ id: 'a', type: 'loop' }] }).path).toBe('/steps/0/type');
  });

  it('should refuse expressions that do not compile, in conditions and in inputs', () => {
    expect(
      problem({
        ...base,
        steps: [{ id: 'd', type: 'decision', branches: [{ when: '(((', next: '$end' }] }],
      }).path,
    ).toBe('/steps/0/branches/0/when');
    expect(
      problem({
        ...base,
        steps: [{ id: 'a', type: 'action', action: 'test.echo', input: { v: '=1 +' } }],
      }).path,
    ).toBe('/steps/0/input/v');
  });

  it('should parse YAML and JSON, and refuse text that is neither', () => {
    expect(parseDefinitionText('id: x\nversion: 1.0.0')).toEqual({ id: 'x', version: '1.0.0' });
    expect(parseDefinitionText('{"id":"x"}')).toEqual({ id: 'x' });
    expect(() => parseDefinitionText('{ not json')).toThrow(DefinitionError);
    expect(() => parseDefinitionText('   ')).toThrow('definition is empty');
  });
});
