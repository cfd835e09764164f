import { riskLevel, riskScore } from '../../../subgraphs/intelligence/src/domain/riskScore';

const none = {
  transitiveDependents: 0,
  directDependents: 0,
  qualityFailures: 0,
  blockedPipelines: 0,
  deprecated: false,
};

describe('riskScore', () => {
  it('should be 0 for an unused, healthy component', () => {
    expect(riskScore(none)).toBe(0);
    expect(riskLevel(0)).toBe('LOW');
  });

  it('should grow with the blast radius and stay within 0-100', () => {
    const small = riskScore({ ...none, transitiveDependents: 1, directDependents: 1 });
    const large = riskScore({ ...none, transitiveDependents: 60, directDependents: 5 });
    expect(small).toBe(17);
    expect(large).toBeGreaterThan(small);
    const worst = riskScore({
      transitiveDependents: 10_000,
      directDependents: 100,
      qualityFailures: 10,
      qualityPassed: false,
      blockedPipelines: 10,
      deprecated: true,
    });
    expect(worst).toBe(100);
    expect(riskLevel(worst)).toBe('HIGH');
  });

  it('should add penalties for failing quality, blocked pipelines and deprecation', () => {
    expect(riskScore({ ...none, qualityPassed: false, qualityFailures: 2 })).toBe(15);
    expect(riskScore({ ...none, blockedPipelines: 1 })).toBe(5);
    expect(riskScore({ ...none, deprecated: true })).toBe(5);
    expect(riskLevel(45)).toBe('MEDIUM');
  });
});
