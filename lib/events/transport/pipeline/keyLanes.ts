/**
 * Runs a batch's items with key-level concurrency: one lane per key handles its items strictly
 * in order, lanes run in parallel, at most `maxInFlight` at once. A lane stops at the first item
 * its runner declines (`false`: the member lost the partition or stops), so no later item of that
 * key runs before the declined one is redelivered. Resolves when every lane has ended.
 */
export async function runKeyLanes<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  maxInFlight: number,
  run: (item: T) => Promise<boolean>,
): Promise<void> {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`expected maxInFlight to be an integer >= 1, but got: ${maxInFlight}`);
  }
  // Lanes in order of their key's first item (fairness between keys).
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const lane = lanes.get(key);
    if (lane) lane.push(item);
    else lanes.set(key, [item]);
  }
  const queue = [...lanes.values()];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const lane = queue[next++]!;
      for (const item of lane) {
        if (!(await run(item))) break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxInFlight, queue.length) }, worker));
}
