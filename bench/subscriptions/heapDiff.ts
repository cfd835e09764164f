/**
 * What the idle subscribers hold: the difference between two V8 heap snapshots of the gateway
 * (from `BENCH_HEAP_SNAPSHOTS=1 npx tsx bench/subscriptions/run.ts`), grouped by node type and
 * constructor/name, biggest growth first, with bytes per subscriber.
 * Run: `node --max-old-space-size=8192 --import tsx bench/subscriptions/heapDiff.ts \
 *        before.heapsnapshot idle.heapsnapshot [subscribers=10000] [top=40]`
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function aggregate(file: string) {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < heap.nodes.length; i += stride) {
    const type = types[heap.nodes[i + typeAt]!] ?? '?';
    const raw = heap.strings[heap.nodes[i + nameAt]!] ?? '';
    // Strings are grouped by kind (their text would make one group each).
    const name = type.includes('string') || type === 'number' ? '' : raw.slice(0, 60);
    const key = `${type}:${name}`;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += heap.nodes[i + sizeAt]!;
    groups.set(key, group);
  }
  return groups;
}

const [beforeFile, afterFile, subscribersArg, topArg] = process.argv.slice(2);
if (!beforeFile || !afterFile)
  throw new Error('usage: heapDiff.ts before after [subscribers] [top]');
const subscribers = Number(subscribersArg ?? 10_000);
const top = Number(topArg ?? 40);
const before = aggregate(beforeFile);
const after = aggregate(afterFile);
const rows = [...after.entries()].map(([key, a]) => {
  const b = before.get(key) ?? { count: 0, bytes: 0 };
  return { key, count: a.count - b.count, bytes: a.bytes - b.bytes };
});
const total = rows.reduce((sum, r) => sum + r.bytes, 0);
console.log(
  `heap growth ${(total / 2 ** 20).toFixed(1)} MB = ${(total / subscribers / 1024).toFixed(2)} KB per subscriber (${subscribers})`,
);
console.log('bytes/sub | objects/sub | type:constructor');
for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, top)) {
  console.log(
    `${(r.bytes / subscribers).toFixed(0).padStart(9)} | ${(r.count / subscribers).toFixed(2).padStart(11)} | ${r.key}`,
  );
}
