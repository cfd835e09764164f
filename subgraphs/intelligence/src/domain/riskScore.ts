/** Signals that make changing a component risky. */
export interface RiskFactors {
  transitiveDependents: number;
  directDependents: number;
  /** Failed quality verdicts seen for the component. */
  qualityFailures: number;
  /** Latest verdict; undefined when never validated. */
  qualityPassed?: boolean;
  blockedPipelines: number;
  deprecated: boolean;
}

/**
 * A 0-100 risk score: mostly the blast radius (log-scaled transitive dependents, so 1 → 15 and
 * ~60 → 60 points), plus penalties for failing quality, blocked pipelines and deprecation.
 */
export function riskScore(factors: RiskFactors): number {
  const blast = Math.min(60, 15 * Math.log2(1 + factors.transitiveDependents));
  const direct = Math.min(10, 2 * factors.directDependents);
  const quality =
    (factors.qualityPassed === false ? 10 : 0) + Math.min(10, 2.5 * factors.qualityFailures);
  const blocked = Math.min(10, 5 * factors.blockedPipelines);
  const deprecated = factors.deprecated ? 5 : 0;
  return Math.min(100, Math.round(blast + direct + quality + blocked + deprecated));
}

/** Coarse bands of {@link riskScore}. */
export function riskLevel(score: number): 'LOW' | 'MEDIUM' | 'HIGH' {
  if (score >= 60) return 'HIGH';
  if (score >= 30) return 'MEDIUM';
  return 'LOW';
}
