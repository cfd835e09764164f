import { graphqlError } from '../../../../lib/graphql';

/**
 * Why `signalRun` refused a signal (`extensions.reason`; the `extensions.code` is `CONFLICT`,
 * or `BAD_USER_INPUT` for `UNKNOWN_SIGNAL`):
 * - `RUN_ENDED`: the run ended, is being cancelled or is compensating: no step will wait again;
 * - `UNKNOWN_SIGNAL`: no step of the run's definition version waits for this name;
 * - `TOO_MANY_PENDING_SIGNALS`: the run already keeps its maximum of early signals.
 */
export const SIGNAL_REFUSAL_REASONS = [
  'RUN_ENDED',
  'UNKNOWN_SIGNAL',
  'TOO_MANY_PENDING_SIGNALS',
] as const;
export type SignalRefusalReason = (typeof SIGNAL_REFUSAL_REASONS)[number];

/** The GraphQL error refusing a signal, with its reason in `extensions.reason`. */
export function signalRefusal(reason: SignalRefusalReason, message: string) {
  switch (reason) {
    case 'UNKNOWN_SIGNAL':
      return graphqlError('BAD_USER_INPUT', `name: ${message}`, { field: 'name', reason });
    case 'RUN_ENDED':
    case 'TOO_MANY_PENDING_SIGNALS':
      return graphqlError('CONFLICT', message, { reason });
    default:
      return unreachable(reason);
  }
}

function unreachable(value: never): never {
  throw new Error(`unexpected signal refusal: ${String(value)}`);
}
