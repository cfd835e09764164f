import type { CloudEvent } from '../../envelope';
import type { EventHandler } from '../../handler';

/** Wraps handlers so each successful call is reported (replay progress). */
export function countApplied(
  handlers: Record<string, EventHandler>,
  onApplied: (event: CloudEvent) => void,
): Record<string, EventHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([type, handler]): [string, EventHandler] => [
      type,
      async (event, origin) => {
        await handler(event, origin);
        onApplied(event);
      },
    ]),
  );
}
