import type { RunStatus } from '../api/types';

/** A run status as a coloured word (the colour is never the only signal). */
export function RunStatusBadge({ status }: { status: RunStatus }) {
  return <span class={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}
