/** A component suggested for a project. */
export interface Prediction {
  componentId: string;
  /** Share of the overlapping baskets that contain the candidate (0-1]. */
  confidence: number;
  /** Number of overlapping baskets that contain the candidate. */
  support: number;
}

/**
 * Next-component prediction from co-usage: a basket is a set of components used together (one
 * project's components, or one component's dependencies). Every basket sharing a component with
 * `current` votes for its other members, weighted by how much it overlaps; confidence is the
 * weighted share of overlapping baskets that contain the candidate. Ties break by support, then id.
 */
export function predictNext(
  current: Set<string>,
  baskets: string[][],
  limit: number,
): Prediction[] {
  const votes = new Map<string, { weight: number; support: number }>();
  let total = 0;
  for (const basket of baskets) {
    const members = new Set(basket);
    const overlap = [...members].filter((id) => current.has(id)).length;
    if (overlap === 0) continue;
    const weight = overlap / members.size;
    total += weight;
    for (const id of members) {
      if (current.has(id)) continue;
      const vote = votes.get(id) ?? { weight: 0, support: 0 };
      vote.weight += weight;
      vote.support += 1;
      votes.set(id, vote);
    }
  }
  return [...votes]
    .map(([componentId, vote]) => ({
      componentId,
      confidence: Math.round((vote.weight / total) * 1000) / 1000,
      support: vote.support,
    }))
    .sort(
      (a, b) =>
        b.confidence - a.confidence ||
        b.support - a.support ||
        a.componentId.localeCompare(b.componentId),
    )
    .slice(0, limit);
}
