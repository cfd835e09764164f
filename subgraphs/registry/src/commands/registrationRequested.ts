import { PermanentHandlerError, type CloudEvent } from '../../../../lib/events';
import type { RegistryContext } from '../context';
import { COMPONENT_TYPES, type ComponentDoc, type ComponentType } from '../models/Component';
import { createComponent } from '../mutations/registerComponent';
import { toHandlerError } from './toHandlerError';

/** Data of `component.registration.requested` (schema/events). */
export interface RegistrationRequest {
  id: string;
  name: string;
  type: string;
  version: string;
  runId?: string;
  description?: string | null;
  tags?: string[] | null;
  dependencies?: string[] | null;
  props?: unknown;
}

/** What a registration command did: `registered` a new component or found it `existing`. */
export type RegistrationOutcome = { status: 'registered' | 'existing'; component: ComponentDoc };

const isComponentType = (type: string): type is ComponentType =>
  (COMPONENT_TYPES as readonly string[]).includes(type);

/**
 * Registers the requested component under the id the requester chose. Idempotent by id: when a
 * component with that id exists (a redelivery, a second request, a re-executed step) nothing is
 * written and the existing one is returned. An invalid spec, an unknown dependency or a name taken
 * by another id throws a {@link PermanentHandlerError} (dead letter).
 */
export async function registerRequestedComponent(
  ctx: RegistryContext,
  event: CloudEvent,
): Promise<RegistrationOutcome> {
  const request = event.data as RegistrationRequest;
  const what = `cannot register component ${request.id} ("${request.name}")${request.runId ? ` for run ${request.runId}` : ''}`;
  const existing = () => ctx.components.findById(request.id).lean<ComponentDoc>();

  const found = await existing();
  if (found) return { status: 'existing', component: found };
  if (!isComponentType(request.type)) {
    throw new PermanentHandlerError(
      `${what}: type: expected one of ${COMPONENT_TYPES.join(', ')}, but got: ${request.type}`,
    );
  }
  try {
    const { component } = await createComponent(
      ctx,
      request.id,
      { ...request, type: request.type },
      { runId: request.runId, causationId: event.id },
    );
    return { status: 'registered', component: component as ComponentDoc };
  } catch (error) {
    // A concurrent request for the same id won the insert: that is the component asked for.
    const winner = await existing();
    if (winner) return { status: 'existing', component: winner };
    throw toHandlerError(error, what);
  }
}
