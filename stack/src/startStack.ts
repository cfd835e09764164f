import { startOperations, type OperationsOptions } from '../../operations/src';
import { startGateway, type GatewayOptions } from '../../gateway/src';
import { stopAll, type Stoppable } from '../../lib/lifecycle';
import { startIntelligence, type IntelligenceOptions } from '../../subgraphs/intelligence/src';
import {
  startRegistry,
  type RegistryOptions,
  type RunningRegistry,
} from '../../subgraphs/registry/src';
import {
  startWorkflow,
  type WorkflowOptions,
  type WorkflowRuntimeExtras,
} from '../../subgraphs/workflow/src';

/** Options of every role started in one process. */
export interface StackOptions {
  registry: RegistryOptions;
  intelligence: IntelligenceOptions;
  workflow: WorkflowOptions;
  operations: OperationsOptions;
  gateway: GatewayOptions;
  /** Extra actions for the workflow role (embedding and tests). */
  workflowExtras?: WorkflowRuntimeExtras;
}

/** Every role running in one process (development and tests). */
export interface RunningStack extends Stoppable {
  gatewayUrl: string;
  registry: RunningRegistry;
  /** The URL each subgraph serves, by subgraph name (to route more gateways to them). */
  subgraphUrls: Record<string, string>;
}

/**
 * Starts the subgraphs, then the gateway routed to their actual URLs (ports may be 0), then the
 * operations role; stops in reverse order. A failure part-way stops whatever had started.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const started: Stoppable[] = [];
  try {
    const [registry, [intelligence, workflow]] = await Promise.all([
      startRegistry(options.registry),
      // The workflow role reads project contexts from this stack's intelligence (ports may be 0).
      startIntelligence(options.intelligence).then(async (intelligence) => {
        started.push(intelligence);
        const { workflow } = options;
        const routed = workflow.intelligence && {
          ...workflow,
          intelligence: { ...workflow.intelligence, url: intelligence.graphqlUrl },
        };
        return [
          intelligence,
          await startWorkflow(routed || workflow, undefined, options.workflowExtras),
        ] as const;
      }),
    ]);
    started.push(registry, workflow);
    // Before the gateway: the operations role serves the `operations` subgraph it routes to.
    const operations = await startOperations(options.operations);
    started.push(operations);
    const subgraphUrls = {
      registry: registry.graphqlUrl,
      intelligence: intelligence.graphqlUrl,
      workflow: workflow.graphqlUrl,
      operations: operations.graphqlUrl,
      ...options.gateway.subgraphUrls,
    };
    const gateway = await startGateway({ ...options.gateway, subgraphUrls });
    started.push(gateway);
    return {
      gatewayUrl: gateway.graphqlUrl,
      registry,
      subgraphUrls,
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started).catch(() => undefined);
    throw error;
  }
}
