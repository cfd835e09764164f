import type { Message } from 'kafkajs';
import type { EventContracts } from '../../contracts';
import type { EventMetrics } from '../../metrics';
import type { Clock } from '../clock';

/** What every member of one Kafka transport shares. */
export interface KafkaTransportShared {
  clock: Clock;
  metrics: EventMetrics;
  contracts: EventContracts;
  /** Runs before a member's first attempt (topic creation); retried with the attempt. */
  prepare(): Promise<void>;
  /** Sends a dead letter for a record of `originTopic`; resolves once acknowledged. */
  sendDeadLetter(originTopic: string, record: Message): Promise<void>;
  /** Prefix of the transport's own throw-away groups (reads, replays). */
  groupPrefix: string;
}
