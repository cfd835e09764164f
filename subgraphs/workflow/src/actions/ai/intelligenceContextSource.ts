import { signClaims } from '../../../../../lib/graphql/gatewaySignature';
import type { ProjectContextSource } from './aiActionOptions';

/** Where the intelligence subgraph answers, and how to call it. */
export interface IntelligenceContextOptions {
  /** Its GraphQL endpoint (WORKFLOW_INTELLIGENCE_URL). */
  url: string;
  /** Signs the request as the gateway does, for subgraphs that accept only signed requests. */
  gatewaySecret?: string;
  /** Deadline of one request. @default 5000 */
  timeoutMs: number;
}

/** What `enhance` puts in the prompt: the project's style, decisions and components in use. */
const PROJECT_CONTEXT = /* GraphQL */ `
  query ProjectContextForPrompt($projectId: ID!) {
    projectContext(projectId: $projectId) {
      version
      style
      styleEpoch
      decisions {
        key
        value
      }
      componentsByType {
        type
        count
      }
      components {
        id
      }
    }
  }
`;

/**
 * Reads a project's context from the intelligence subgraph (directly, signed like the gateway's
 * requests: the role acts as a trusted caller, not for a user). Errors name the status or the
 * GraphQL error; `ai.complete` turns them into a retryable CONTEXT_UNAVAILABLE.
 */
export function createIntelligenceContextSource(
  options: IntelligenceContextOptions,
): ProjectContextSource {
  return async (projectId, signal) => {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.gatewaySecret && signClaims(options.gatewaySecret, { sub: 'workflow' })),
      },
      body: JSON.stringify({ query: PROJECT_CONTEXT, variables: { projectId } }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
    });
    const body = (await response.json().catch(() => null)) as {
      data?: { projectContext?: unknown };
      errors?: { message: string }[];
    } | null;
    if (!response.ok || !body?.data?.projectContext)
      throw new Error(
        `intelligence answered ${response.status}${body?.errors?.[0] ? `: ${body.errors[0].message}` : ''}`,
      );
    return body.data.projectContext;
  };
}
