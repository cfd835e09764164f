import type { CloudEvent } from '../../../../lib/events';
import type { RegistryContext } from '../context';
import { validateComponent } from '../mutations/validateComponent';
import { toHandlerError } from './toHandlerError';

/** Data of `component.validation.requested` (schema/events). */
export interface ValidationRequest {
  componentId: string;
  runId?: string;
}

/**
 * Runs the registry's quality checks exactly as `validateComponent` does: the report is stored as
 * the component's latest (and in its history) and `quality.passed` / `quality.failed` is emitted.
 * Validating again is harmless (the newest report wins), so a redelivery needs no guard. An
 * unknown component is a permanent error (dead letter).
 */
export async function validateRequestedComponent(ctx: RegistryContext, event: CloudEvent) {
  const request = event.data as ValidationRequest;
  try {
    return await validateComponent(undefined, { id: request.componentId }, ctx);
  } catch (error) {
    throw toHandlerError(
      error,
      `cannot validate component ${request.componentId}${request.runId ? ` for run ${request.runId}` : ''}`,
    );
  }
}
