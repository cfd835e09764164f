import type { EventHandler } from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';
import { createRegistryContext, type RegistryDeps } from '../context';
import { registerRequestedComponent } from './registrationRequested';
import { applyUpdateRequest } from './updateRequested';
import { validateRequestedComponent } from './validationRequested';

/** The command types the registry consumes (emitted by workflow runs on the workflow topic). */
export const REGISTRY_COMMAND_TYPES = [
  'component.registration.requested',
  'component.update.requested',
  'component.validation.requested',
] as const;

/** Options of {@link createRegistryCommandHandlers}. */
export interface RegistryCommandHandlerOptions {
  deps: RegistryDeps;
  logger: Logger;
}

/**
 * Handlers of the registry's commands, by event type. Each runs the registry's own mutation logic
 * (validation, outbox commit, events) in a context built per event, whose correlation id is the
 * command's (else its id). Rule violations throw permanent errors (dead letter); everything else
 * is retried by the consumer framework.
 */
export function createRegistryCommandHandlers({
  deps,
  logger,
}: RegistryCommandHandlerOptions): Record<(typeof REGISTRY_COMMAND_TYPES)[number], EventHandler> {
  const contextOf = (event: Parameters<EventHandler>[0]) => {
    const correlationId = event.correlationid ?? event.id;
    return createRegistryContext(deps, {
      correlationId,
      logger: logger.child({ correlationId, eventType: event.type }),
    });
  };
  return {
    'component.registration.requested': async (event) => {
      const { status, component } = await registerRequestedComponent(contextOf(event), event);
      logger.debug({ componentId: component._id, status }, 'registration request handled');
    },
    'component.update.requested': async (event) => {
      const { applied, component } = await applyUpdateRequest(contextOf(event), event);
      logger.debug({ componentId: component._id, applied }, 'update request handled');
    },
    'component.validation.requested': async (event) => {
      const { report } = await validateRequestedComponent(contextOf(event), event);
      logger.debug({ componentId: report.componentId, passed: report.passed }, 'validated');
    },
  };
}
