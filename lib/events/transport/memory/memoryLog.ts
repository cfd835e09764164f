import type { KafkaMessage, Message } from 'kafkajs';

/** One topic partition's records; offsets are array indexes. */
export type PartitionLog = KafkaMessage[];

/** A group's state inside the memory transport. */
export interface MemoryGroup {
  /** Next offset to read per `topic:partition`. */
  committed: Map<string, bigint>;
  members: Set<MemoryGroupMember>;
  generation: number;
  /** Partitions each member owns in the current generation. */
  assignment: Map<MemoryGroupMember, string[]>;
  /** Resolves when the previous owner of a partition has let go (no two owners at once). */
  released: Map<string, Promise<void>>;
}

/** What the memory log needs of a member to rebalance it. */
export interface MemoryGroupMember {
  topics: string[];
  /** Starts consuming `partitions` in `generation` (after their previous owners let go). */
  assign(generation: number, partitions: string[]): void;
}

/**
 * The memory transport's broker: topics of partitions, groups with committed offsets, and
 * round-robin assignment on every join and leave (like Kafka's eager rebalance).
 */
export class MemoryLog {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, MemoryGroup>();
  private waiters = new Set<() => void>();
  private roundRobin = 0;

  constructor(
    private readonly partitions: number,
    private readonly now: () => number,
  ) {}

  /** The partitions of a topic, created on first use with `partitions` (else the default). */
  topic(name: string, partitions = this.partitions): PartitionLog[] {
    let logs = this.topics.get(name);
    if (!logs) {
      logs = Array.from({ length: partitions }, () => []);
      this.topics.set(name, logs);
    }
    return logs;
  }

  /** Appends records (keyed records by key hash, others round-robin) and wakes readers. */
  append(topic: string, records: Message[]): void {
    const logs = this.topic(topic);
    for (const record of records) {
      const key = record.key == null ? null : Buffer.from(record.key);
      const partition = key ? hash(key) % logs.length : this.roundRobin++ % logs.length;
      const log = logs[partition]!;
      log.push({
        key,
        value: record.value == null ? null : Buffer.from(record.value),
        headers: { ...record.headers },
        timestamp: String(this.now()),
        attributes: 0,
        offset: String(log.length),
      } as KafkaMessage);
    }
    this.wake();
  }

  /** Resolves at the next append, join, leave or commit. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Wakes every reader waiting in {@link changed}. */
  wake(): void {
    const waiting = this.waiters;
    this.waiters = new Set();
    for (const resolve of waiting) resolve();
  }

  group(groupId: string): MemoryGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = {
        committed: new Map(),
        members: new Set(),
        generation: 0,
        assignment: new Map(),
        released: new Map(),
      };
      this.groups.set(groupId, group);
    }
    return group;
  }

  join(groupId: string, member: MemoryGroupMember): void {
    const group = this.group(groupId);
    group.members.add(member);
    this.rebalance(group);
  }

  leave(groupId: string, member: MemoryGroupMember): void {
    const group = this.group(groupId);
    group.members.delete(member);
    this.rebalance(group);
  }

  /** First offset at or after `from` per partition (its end when nothing is that recent). */
  offsetsAt(topic: string, from: Date | undefined): { partition: number; start: number }[] {
    return this.topic(topic).map((log, partition) => {
      if (!from) return { partition, start: 0 };
      const index = log.findIndex((m) => Number(m.timestamp) >= from.getTime());
      return { partition, start: index < 0 ? log.length : index };
    });
  }

  private rebalance(group: MemoryGroup): void {
    group.generation += 1;
    const members = [...group.members];
    const partitions = [...new Set(members.flatMap((m) => m.topics))].flatMap((topic) =>
      this.topic(topic).map((_, p) => `${topic}:${p}`),
    );
    group.assignment = new Map(members.map((m) => [m, []]));
    partitions.forEach((tp, index) => {
      const owners = members.filter((m) => m.topics.includes(tp.slice(0, tp.lastIndexOf(':'))));
      if (owners.length > 0) group.assignment.get(owners[index % owners.length]!)!.push(tp);
    });
    for (const [member, owned] of group.assignment) member.assign(group.generation, owned);
    this.wake();
  }
}

/** FNV-1a: a stable key → partition map (Java compatibility is Kafka's business, not memory's). */
function hash(key: Buffer): number {
  let h = 0x811c9dc5;
  for (const byte of key) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
