import { useEffect, useState } from 'preact/hooks';
import { APPROVE_TASK, PENDING_TASKS, REJECT_TASK } from '../api/documents';
import { graphqlRequest } from '../api/graphqlRequest';
import type { HumanTask } from '../api/types';
import type { BoardServices } from '../state/createBoardServices';
import { hrefOf } from '../state/route';
import { formatTime, shortId } from './format';
import { useAsync } from './useAsync';

/** One waiting task with its decision form: who decides, an optional comment, approve or reject. */
function TaskRow({ task, onDecided }: { task: HumanTask; onDecided: () => void }) {
  const [by, setBy] = useState(task.assignee);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `${task.runId}-${task.stepId}`;

  async function decide(approve: boolean): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await graphqlRequest(approve ? APPROVE_TASK : REJECT_TASK, {
        runId: task.runId,
        stepId: task.stepId,
        by: by || null,
        comment: comment || null,
      });
      onDecided();
    } catch (decideError) {
      setError((decideError as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <tr data-task-run={task.runId} data-task-step={task.stepId}>
      <th scope="row">
        <a href={hrefOf({ view: 'runs', runId: task.runId })} title={task.runId}>
          {shortId(task.runId)}
        </a>
      </th>
      <td>{task.stepId}</td>
      <td>{task.assignee}</td>
      <td>{task.message ?? ''}</td>
      <td>{formatTime(task.expiresAt)}</td>
      <td>
        <div class="decision">
          <label class="visually-hidden" for={`by-${id}`}>
            Decided by
          </label>
          <input
            id={`by-${id}`}
            size={8}
            value={by}
            onInput={(event) => setBy(event.currentTarget.value)}
          />
          <label class="visually-hidden" for={`comment-${id}`}>
            Comment
          </label>
          <input
            id={`comment-${id}`}
            placeholder="comment"
            size={12}
            value={comment}
            onInput={(event) => setComment(event.currentTarget.value)}
          />
          <button type="button" disabled={busy} onClick={() => void decide(true)}>
            Approve
          </button>
          <button type="button" class="danger" disabled={busy} onClick={() => void decide(false)}>
            Reject
          </button>
        </div>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

/** Human approvals waiting for a decision; refetched when runs change (a run starts waiting). */
export function ApprovalsView({ services }: { services: BoardServices }) {
  const tasks = useAsync(
    () => graphqlRequest<{ pendingTasks: HumanTask[] }>(PENDING_TASKS).then((d) => d.pendingTasks),
    [],
  );
  const events = services.runsEvents.value;
  useEffect(() => {
    if (events > 0) tasks.reload();
    // Only the event count matters: reload is stable.
  }, [events]);
  const list = tasks.data ?? [];
  return (
    <section aria-labelledby="approvals-title">
      <h2 id="approvals-title">Approvals waiting ({list.length})</h2>
      {tasks.error && (
        <p role="alert" class="error">
          {tasks.error}
        </p>
      )}
      {list.length === 0 ? (
        <p class="muted">No task is waiting for a decision.</p>
      ) : (
        <table class="compact" aria-label="Pending tasks">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Step</th>
              <th scope="col">Assignee</th>
              <th scope="col">Message</th>
              <th scope="col">Expires</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {list.map((task) => (
              <TaskRow key={`${task.runId}/${task.stepId}`} task={task} onDecided={tasks.reload} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
