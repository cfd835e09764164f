import { useState } from 'preact/hooks';
import { CANCEL_RUN, RETRY_RUN } from '../api/documents';
import { graphqlRequest } from '../api/graphqlRequest';
import type { RunSummary } from '../api/types';

const ACTIVE = new Set(['PENDING', 'RUNNING', 'WAITING']);

/** Cancel (optionally compensating) an active run; retry a failed one from its failed step. */
export function RunActions({ run }: { run: RunSummary }) {
  const [reason, setReason] = useState('');
  const [compensate, setCompensate] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  async function send(label: string, query: string, variables: Record<string, unknown>) {
    setBusy(true);
    setMessage(null);
    try {
      await graphqlRequest(query, variables);
      setMessage({ text: `${label}: requested`, error: false });
    } catch (error) {
      setMessage({ text: `${label}: ${(error as Error).message}`, error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="run-actions">
      {ACTIVE.has(run.status) && (
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void send('Cancel', CANCEL_RUN, {
              runId: run.id,
              reason: reason || null,
              compensate,
            });
          }}
        >
          <label for="cancel-reason">Reason</label>
          <input
            id="cancel-reason"
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
          <label class="checkbox">
            <input
              type="checkbox"
              checked={compensate}
              onChange={(event) => setCompensate(event.currentTarget.checked)}
            />
            compensate completed steps
          </label>
          <button type="submit" disabled={busy}>
            Cancel run
          </button>
        </form>
      )}
      {run.status === 'FAILED' && (
        <button
          type="button"
          disabled={busy}
          onClick={() => void send('Retry', RETRY_RUN, { runId: run.id })}
        >
          Retry run
        </button>
      )}
      {message && (
        <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'muted'}>
          {message.text}
        </p>
      )}
    </div>
  );
}
