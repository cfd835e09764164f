import type { ReadonlySignal } from '@preact/signals';
import type { LiveStatus } from '../api/createLiveClient';

const LABELS: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  refused: 'Token refused',
};

/** The socket's state; announced politely so a screen reader hears a lost connection. */
export function ConnectionStatus({ status }: { status: ReadonlySignal<LiveStatus> }) {
  return (
    <p class={`connection connection-${status.value}`} role="status" data-testid="connection">
      {LABELS[status.value]}
    </p>
  );
}
