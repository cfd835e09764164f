import {
  EventError,
  platformContracts,
  type CloudEvent,
  type EventContracts,
} from '../../../../lib/events';
import { graphqlError } from '../../../../lib/graphql';

/**
 * Validates events against their contracts (envelope and data, schema/events) before they are
 * committed to the outbox: an event the relay could never send fails the mutation with
 * BAD_USER_INPUT (naming the event type and the contract's complaint) and nothing is written,
 * instead of being parked by the relay later. Every registry writer of `pendingEvents` calls it.
 */
export function checkEventContracts(
  events: CloudEvent[],
  contracts: EventContracts = platformContracts(),
): void {
  for (const event of events) {
    try {
      contracts.validate(event as unknown as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof EventError)) throw error;
      throw graphqlError(
        'BAD_USER_INPUT',
        `event ${event.type} breaks its contract: ${error.message}`,
        { eventType: event.type, contractCode: error.code },
      );
    }
  }
}
