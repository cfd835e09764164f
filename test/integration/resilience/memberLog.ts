import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemberState } from '../../../lib/events';

/** The member process of test/integration/events/fixtures/consumerProcess.ts. */
export const MEMBER_SCRIPT = join(__dirname, '..', 'events', 'fixtures', 'consumerProcess.ts');

/** An event a member process applied (one `applied` line). */
export interface AppliedLine {
  key: string;
  seq: number;
  pid: number;
  partition: number;
  at: number;
}

/** A member state change (one `state` line). */
export interface StateLine {
  state: MemberState;
  pid: number;
  at: number;
}

/** What the member processes wrote into their shared file. */
export interface MemberLog {
  applied: AppliedLine[];
  states: StateLine[];
  /** Base URL of each process serving `/ready` (MEMBER_HTTP=1), by pid. */
  http: Map<number, string>;
}

/** An empty file in a fresh temporary directory for member processes to append to. */
export function newMemberLogFile(prefix: string): string {
  const file = join(mkdtempSync(join(tmpdir(), prefix)), 'members.log');
  writeFileSync(file, '');
  return file;
}

/** Parses the file member processes append to (lines are written whole by one `write`). */
export function readMemberLog(file: string): MemberLog {
  const log: MemberLog = { applied: [], states: [], http: new Map() };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [kind, ...fields] = line.split(' ');
    if (kind === 'applied' && fields.length === 5) {
      const [key, seq, pid, partition, at] = fields as [string, string, string, string, string];
      log.applied.push({
        key,
        seq: Number(seq),
        pid: Number(pid),
        partition: Number(partition),
        at: Number(at),
      });
    } else if (kind === 'state' && fields.length === 3) {
      const [state, pid, at] = fields as [MemberState, string, string];
      log.states.push({ state, pid: Number(pid), at: Number(at) });
    } else if (kind === 'http' && fields.length === 3) {
      log.http.set(Number(fields[1]), fields[0]!);
    }
  }
  return log;
}

/** The last state a process reported, if any. */
export function lastState(log: MemberLog, pid: number): StateLine | undefined {
  return log.states.filter((line) => line.pid === pid).at(-1);
}

/** Counts of a delivery check: what was expected against what the members applied. */
export interface DeliveryReport {
  expected: number;
  /** Applications, duplicates included. */
  applied: number;
  /** Expected (key, sequence) pairs never applied. */
  lost: number;
  /** Applications beyond the first of a (key, sequence). */
  duplicates: number;
  /**
   * First applications that are not the key's next sequence: with duplicates removed, each key's
   * sequences must read 1, 2, 3, … in application order.
   */
  outOfOrder: number;
  /** A few lost pairs, for the failure message. */
  lostSample: string[];
}

/**
 * Checks applications against the sequences expected per key (1..n). File order is application
 * order: every line is appended synchronously by the handler that applied the event.
 */
export function deliveryReport(
  applied: AppliedLine[],
  expected: Map<string, number>,
): DeliveryReport {
  const seen = new Map<string, Set<number>>();
  const lastFirst = new Map<string, number>();
  let duplicates = 0;
  let outOfOrder = 0;
  for (const { key, seq } of applied) {
    const keySeen = seen.get(key) ?? new Set<number>();
    seen.set(key, keySeen);
    if (keySeen.has(seq)) {
      duplicates += 1;
      continue;
    }
    keySeen.add(seq);
    if (seq !== (lastFirst.get(key) ?? 0) + 1) outOfOrder += 1;
    lastFirst.set(key, seq);
  }
  let total = 0;
  let lost = 0;
  const lostSample: string[] = [];
  for (const [key, last] of expected) {
    total += last;
    for (let seq = 1; seq <= last; seq++) {
      if (seen.get(key)?.has(seq)) continue;
      lost += 1;
      if (lostSample.length < 10) lostSample.push(`${key}#${seq}`);
    }
  }
  return { expected: total, applied: applied.length, lost, duplicates, outOfOrder, lostSample };
}

/** Whether every expected (key, sequence) pair was applied at least once. */
export function allApplied(applied: AppliedLine[], expected: Map<string, number>): boolean {
  return deliveryReport(applied, expected).lost === 0;
}

/** Starts a member process (consumerProcess.ts) of `groupId` on `topic`, appending to `file`. */
export function spawnMember(options: {
  brokers: string;
  topic: string;
  groupId: string;
  file: string;
  env?: Record<string, string>;
}): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MEMBER_SCRIPT,
      options.brokers,
      options.topic,
      options.groupId,
      options.file,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...options.env } },
  );
}

/** SIGTERM (the member leaves its group), SIGKILL after `graceMs`; resolves once it exited. */
export async function stopMember(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
