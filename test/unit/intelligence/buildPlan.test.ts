import { planBuild } from '../../../subgraphs/intelligence/src/domain/buildPlan';

const deps: Record<string, string[]> = {
  page: ['header', 'footer'],
  header: ['button', 'logo'],
  footer: ['logo'],
  button: ['icon'],
  logo: [],
  icon: [],
};
const of = (id: string) => deps[id] ?? [];

describe('planBuild', () => {
  it('should group components into dependency levels buildable in parallel', () => {
    const plan = planBuild(Object.keys(deps), of);
    expect(plan.levels).toEqual([['icon', 'logo'], ['button', 'footer'], ['header'], ['page']]);
    expect(plan.blocked).toEqual([]);
  });

  it('should return the longest dependency chain as the critical path', () => {
    expect(planBuild(Object.keys(deps), of).criticalPath).toEqual([
      'icon',
      'button',
      'header',
      'page',
    ]);
  });

  it('should ignore dependencies outside the set and self-references', () => {
    const plan = planBuild(['header', 'footer'], (id) => [...of(id), id]);
    expect(plan.levels).toEqual([['footer', 'header']]);
    expect(plan.criticalPath).toEqual(['footer']);
  });

  it('should leave components on or behind a cycle blocked', () => {
    const cyclic: Record<string, string[]> = { a: ['b'], b: ['a'], c: ['a'], d: [] };
    const plan = planBuild(Object.keys(cyclic), (id) => cyclic[id] ?? []);
    expect(plan.levels).toEqual([['d']]);
    expect(plan.blocked).toEqual(['a', 'b', 'c']);
  });

  it('should plan nothing for an empty set', () => {
    expect(planBuild([], of)).toEqual({ levels: [], criticalPath: [], blocked: [] });
  });
});
