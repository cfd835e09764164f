import semver from 'semver';
import type { CloudEvent } from '../../../../lib/events';
import type { RegistryContext } from '../context';
import { commitComponentChange } from '../domain/commitComponentChange';
import { validateUpdate } from '../domain/validateUpdate';
import type { ComponentDoc } from '../models/Component';
import { toHandlerError } from './toHandlerError';

/** Data of `component.update.requested` (schema/events). */
export interface UpdateRequest {
  componentId: string;
  reason?: string;
  requestedBy?: string;
  /** The version to move to; absent means the next patch version (a regeneration). */
  version?: string;
  runId?: string;
}

/** Applied request ids remembered per component (enough for redeliveries, bounded). */
const REMEMBERED_REQUESTS = 20;

/**
 * Applies an update request the way `updateComponent` applies a change: the component moves to
 * the requested version (semver, never lower) or to its next patch version, `revision` is
 * incremented and `component.updated` (with `reason`, `requestedBy`, `runId`) commits with it.
 * The request id is remembered on the component, so a redelivered request changes nothing. An
 * unknown component or a refused version throws a permanent error (dead letter).
 */
export async function applyUpdateRequest(
  ctx: RegistryContext,
  event: CloudEvent,
): Promise<{ applied: boolean; component: ComponentDoc }> {
  const request = event.data as UpdateRequest;
  try {
    const { doc, events } = await commitComponentChange(ctx, request.componentId, (current) => {
      const applied = current.appliedRequests ?? [];
      if (applied.includes(event.id)) return { events: [] };
      const version = request.version ?? semver.inc(current.version, 'patch') ?? current.version;
      const changes = validateUpdate(current, { version });
      const appliedRequests = [...applied, event.id].slice(-REMEMBERED_REQUESTS);
      // Already at the requested version: nothing changes, no event (as updateComponent).
      if (Object.keys(changes).length === 0) return { set: { appliedRequests }, events: [] };
      return {
        set: { ...changes, appliedRequests },
        inc: { revision: 1 },
        events: [
          {
            type: 'component.updated',
            data: {
              id: current._id,
              version: changes.version ?? current.version,
              revision: current.revision + 1,
              changes: JSON.parse(JSON.stringify(changes)) as Record<string, unknown>,
              ...(request.reason && { reason: request.reason }),
              ...(request.requestedBy && { requestedBy: request.requestedBy }),
              ...(request.runId && { runId: request.runId }),
            },
          },
        ],
      };
    });
    return { applied: events.length > 0, component: doc };
  } catch (error) {
    throw toHandlerError(
      error,
      `cannot apply update request ${event.id} to ${request.componentId}`,
    );
  }
}
