import type { KafkaMessage, Message } from 'kafkajs';
import type { Logger } from '../../logging';
import type { EventContracts } from '../contracts';
import type { CloudEvent } from '../envelope';
import type { EventHandler } from '../handler';
import type { EventMetrics } from '../metrics';
import type { Clock } from './clock';
import type { RetryOptions } from './pipeline/backoff';
import type { DedupStore } from './pipeline/dedupStore';

/**
 * The platform's one way to move events: publish, consume in a group, read back, replay, rewind.
 * Kafka in every role; memory in the fast test tier. Both run the same record pipeline (decode,
 * contract check, dedup, handler with retries, dead letter) and pass one contract suite.
 */
export interface EventTransport {
  readonly kind: 'kafka' | 'memory';
  /** Validates against the contracts and resolves once every event is acknowledged. */
  publish(topic: string, events: CloudEvent[]): Promise<void>;
  /** Sends records verbatim (redrive, foreign producers); no validation. */
  publishRecords(topic: string, records: Message[]): Promise<void>;
  /** Creates a supervised member of a consumer group; call `start` to join. */
  subscribe(options: SubscribeOptions): GroupMember;
  /** The records in a topic at or after `from` (all when absent), up to the end seen at the call. */
  read(topic: string, options?: ReadOptions): Promise<TopicRecord[]>;
  /** Applies a topic's records at or after `from`, up to the end seen at the call, through handlers. */
  replay(options: ReplayOptions): Promise<ReplayResult>;
  /** Moves a group's committed offsets on a topic to `from`; refused while the group has members. */
  rewind(groupId: string, topic: string, from: Date): Promise<RewindResult>;
  /** Active members of a group (0 when it is empty or unknown). */
  members(groupId: string): Promise<number>;
  /** Records of a topic the group has not committed yet (sum over partitions). */
  lag(groupId: string, topic: string): Promise<number>;
  close(): Promise<void>;
}

/** Where a new member starts reading. */
export type StartPosition =
  /** The group's committed offset, else the beginning (durable groups). */
  | 'committed'
  /** The end of every partition when the member first starts, then wherever it got to (live fan-out). */
  | 'now';

/** Options of {@link EventTransport.subscribe}. */
export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** By CloudEvents `type`; `'*'` takes every type without its own handler. Others are skipped. */
  handlers: Record<string, EventHandler>;
  logger: Logger;
  /** Applies each (source, id) once per group. */
  dedup?: DedupStore;
  /** @default the platform's contracts */
  contracts?: EventContracts;
  /** @default 'committed' */
  startAt?: StartPosition;
  /** Failed records go to `<topic>.dlq` (default) or are logged, counted and dropped (`false`). */
  deadLetters?: boolean;
  retry?: Partial<RetryOptions>;
  /** Keys handled at once within one partition. @default 16 */
  maxInFlightPerPartition?: number;
  /** Partitions handled at once by this member. @default 6 */
  partitionsConsumedConcurrently?: number;
  /** A member that neither fetches nor heartbeats for this long is restarted. @default 60000 */
  stallAfterMs?: number;
  /** How long `stop` lets running handlers finish before leaving. @default 10000 */
  stopGraceMs?: number;
  /** How often progress is committed while a batch is handled. @default 1000 */
  commitIntervalMs?: number;
  /**
   * Also how long a group waits, after a broker restart, for the members it lost to expire before
   * new ones join (handlers heartbeat while they run, so a long handler does not need more).
   * @default 10000
   */
  sessionTimeout?: number;
  /** @default 1000 */
  heartbeatInterval?: number;
  /** @default the process-wide event metrics */
  metrics?: EventMetrics;
}

/** Where a member stands. */
export type MemberState = 'idle' | 'joining' | 'running' | 'restarting' | 'stopped';

/** What a member says about itself (readiness, metrics, the operations API). */
export interface MemberStatus {
  groupId: string;
  state: MemberState;
  /** Restarts after a crash, a stall or a failed join. */
  restarts: number;
  lastError?: string;
  /** When the state last changed (ms since epoch). */
  since: number;
}

/** A supervised consumer group member: it restarts itself with backoff and never gives up. */
export interface GroupMember {
  readonly groupId: string;
  /** Starts joining in the background; never throws because the transport is down. */
  start(): void;
  /** Resolves once the member has joined and consumes (for start-up ordering and tests). */
  running(timeoutMs?: number): Promise<void>;
  /** Leaves the group; running handlers get `stopGraceMs` to finish. */
  stop(): Promise<void>;
  status(): MemberStatus;
  /** Calls `listener` on every state change; returns the function that removes it. */
  onStateChange(listener: (state: MemberState) => void): () => void;
}

/** A record read back from a topic. */
export interface TopicRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Options of {@link EventTransport.read}. */
export interface ReadOptions {
  from?: Date;
  /** @default 30000 */
  timeoutMs?: number;
}

/** Options of {@link EventTransport.replay}. */
export interface ReplayOptions {
  topic: string;
  from?: Date;
  handlers: Record<string, EventHandler>;
  logger: Logger;
  /** Group named in handler origins and dead letters. */
  groupId: string;
  dedup?: DedupStore;
  /** Called after each applied event (progress). */
  onApplied?: (event: CloudEvent) => void;
  /** @default 120000 */
  timeoutMs?: number;
}

/** What a replay did. */
export interface ReplayResult {
  read: number;
  applied: number;
}

/** Where a rewind left a group, per partition. */
export interface RewindResult {
  topic: string;
  groupId: string;
  partitions: { partition: number; offset: string }[];
}

/** Shared by both transports: what the record pipeline needs besides the handlers. */
export interface TransportOptions {
  logger: Logger;
  /** @default the platform's contracts */
  contracts?: EventContracts;
  /** @default the process-wide event metrics */
  metrics?: EventMetrics;
  /** @default the system clock */
  clock?: Clock;
  /** Dead-letter topic of an origin topic. @default `${topic}.dlq` */
  deadLetterTopic?: (topic: string) => string;
}

/** A rewind asked of a group that still has members (Kafka allows it only on an empty group). */
export class GroupActiveError extends Error {
  readonly code = 'CONFLICT';
  constructor(
    readonly groupId: string,
    readonly members: number,
  ) {
    super(`group ${groupId} has ${members} active member(s); stop them before rewinding`);
    this.name = 'GroupActiveError';
  }
}
