import { createLogger } from '../../lib/logging';
import type { ActionContext } from '../../subgraphs/workflow/src/actions/types';

const silent = createLogger({ name: 'test', level: 'silent' });

/** The context an action handler gets from the registry, for calling a handler directly. */
export function actionContext(overrides: Partial<ActionContext> = {}): ActionContext {
  return {
    runId: 'run-1',
    stepId: 'step',
    attempt: 1,
    signal: new AbortController().signal,
    logger: silent,
    componentIds: [],
    emit: () => undefined,
    linkComponents: () => undefined,
    suspend: () => undefined,
    ...overrides,
  };
}
