/** Components grouped so each level can be built in parallel once the previous ones are done. */
export interface BuildPlan {
  /** `levels[0]` has no dependency inside the set; level n depends only on levels below n. */
  levels: string[][];
  /** Longest dependency chain (first to build → last), the lower bound of a parallel build. */
  criticalPath: string[];
  /** Ids left out because they sit on (or behind) a dependency cycle. */
  blocked: string[];
}

/**
 * Plans a build of `nodes` (Kahn's algorithm by levels). Only dependencies inside `nodes` count:
 * callers add the transitive dependencies they want built. Ids are sorted within a level so plans
 * are deterministic.
 */
export function planBuild(nodes: string[], dependenciesOf: (id: string) => string[]): BuildPlan {
  const set = new Set(nodes);
  const deps = new Map(
    [...set].map((id) => [id, dependenciesOf(id).filter((d) => set.has(d) && d !== id)]),
  );
  const level = new Map<string, number>();
  /** Predecessor on the longest chain ending at a node. */
  const via = new Map<string, string | undefined>();
  const levels: string[][] = [];
  let remaining = [...set];
  while (remaining.length > 0) {
    const ready = remaining.filter((id) => deps.get(id)!.every((dep) => level.has(dep))).sort();
    if (ready.length === 0) break;
    for (const id of ready) {
      let best: string | undefined;
      for (const dep of deps.get(id)!) {
        if (best === undefined || level.get(dep)! > level.get(best)!) best = dep;
      }
      level.set(id, best === undefined ? 0 : level.get(best)! + 1);
      via.set(id, best);
    }
    levels.push(ready);
    const done = new Set(ready);
    remaining = remaining.filter((id) => !done.has(id));
  }
  const criticalPath: string[] = [];
  let end = levels.at(-1)?.[0];
  while (end !== undefined) {
    criticalPath.unshift(end);
    end = via.get(end);
  }
  return { levels, criticalPath, blocked: remaining.sort() };
}
