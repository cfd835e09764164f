import {
  jsonSchemaProblem,
  runQualityChecks,
} from '../../../subgraphs/registry/src/domain/qualityChecks';

describe('jsonSchemaProblem', () => {
  it('should accept valid JSON Schemas and explain invalid ones', () => {
    expect(jsonSchemaProblem({ type: 'object', properties: { a: { type: 'string' } } })).toBe(
      undefined,
    );
    expect(jsonSchemaProblem({ type: 'nonsense' })).toMatch(/props/);
    expect(jsonSchemaProblem({ properties: { a: { minLength: -1 } } })).toBeDefined();
    expect(jsonSchemaProblem(undefined)).toBe('no props schema declared');
    expect(jsonSchemaProblem('x')).toBe('expected an object');
  });
});

describe('runQualityChecks', () => {
  const good = {
    description: 'A fully described component',
    props: { type: 'object' },
    dependencies: ['a'],
  };

  it('should score 100 and pass when every check passes', () => {
    const outcome = runQualityChecks(good, new Map([['a', { name: 'A', deprecated: false }]]));
    expect(outcome).toMatchObject({ score: 100, passed: true });
    expect(outcome.checks.every((check) => check.passed)).toBe(true);
  });

  it('should subtract the weight of each failing check and fail below 80', () => {
    const outcome = runQualityChecks(
      { description: 'short', props: { type: 'bogus' }, dependencies: ['a', 'gone'] },
      new Map([['a', { name: 'OldA', deprecated: true }]]),
    );
    expect(outcome.score).toBe(0);
    expect(outcome.passed).toBe(false);
    expect(outcome.checks.map((check) => [check.name, check.passed, check.message])).toEqual([
      ['description-present', false, expect.stringContaining('at least')],
      ['props-json-schema', false, expect.any(String)],
      ['dependencies-resolvable', false, 'unresolvable: gone'],
      ['no-deprecated-dependencies', false, 'deprecated: OldA'],
    ]);
  });

  it('should pass at exactly 80 (only the deprecated-dependency check failing)', () => {
    const outcome = runQualityChecks(good, new Map([['a', { name: 'A', deprecated: true }]]));
    expect(outcome).toMatchObject({ score: 80, passed: true });
  });
});
