import { context as contextApi } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

let installed = false;

/**
 * Installs the AsyncLocalStorage context manager once per process (idempotent). Without a context
 * manager the API's active context never changes, so neither spans nor a received traceparent
 * would reach code running later in the same request.
 */
export function ensureContextManager(): void {
  if (installed) return;
  installed = true;
  // false when another manager is already registered (e.g. by an SDK the host set up): keep it.
  contextApi.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
