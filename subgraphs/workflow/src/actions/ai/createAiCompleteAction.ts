import type { ValidateFunction } from 'ajv';
import type { ActionContext, ActionHandler } from '../types';
import { WorkflowError } from '../../errors';
import { AiActionError } from './aiActionError';
import { AI_PROVIDERS, type AiActionOptions, type AiProviderName } from './aiActionOptions';
import type { AiProvider } from './AiProvider';
import { anthropicProvider } from './anthropicProvider';
import { buildPrompt } from './buildPrompt';
import { callProvider } from './callProvider';
import { geminiProvider } from './geminiProvider';
import { createStepSchemaCompiler, type CompileSchema } from '../stepSchemas';
import { parseJsonAnswer } from './parseJsonAnswer';

/** Name of the action. */
export const AI_COMPLETE_ACTION = 'ai.complete';

const PROVIDERS: Record<AiProviderName, AiProvider> = {
  anthropic: anthropicProvider,
  gemini: geminiProvider,
};

interface AiCompleteInput {
  provider?: AiProviderName;
  prompt: string;
  system?: string;
  maxTokens?: number;
  validate?: object;
  validateAttempts?: number;
  enhance?: boolean;
  context?: unknown;
  projectId?: string;
}

/** Project context for `enhance`: the step's `context`, else the configured source. */
async function projectContextOf(
  input: AiCompleteInput,
  options: AiActionOptions,
  signal: AbortSignal,
): Promise<unknown> {
  if (input.context !== undefined) return input.context;
  if (!options.projectContext)
    throw new AiActionError(
      'CONTEXT_UNAVAILABLE',
      'enhance needs a `context` input (no project-context source is configured)',
    );
  if (!input.projectId)
    throw new AiActionError('CONTEXT_UNAVAILABLE', 'enhance needs `context` or `projectId`');
  try {
    return await options.projectContext(input.projectId, signal);
  } catch (error) {
    throw new AiActionError(
      'CONTEXT_UNAVAILABLE',
      `project context of "${input.projectId}": ${(error as Error).message}`,
      true,
    );
  }
}

function compileValidate(
  compileSchema: CompileSchema,
  schema: object | undefined,
): ValidateFunction | undefined {
  if (!schema) return undefined;
  try {
    return compileSchema(schema);
  } catch (error) {
    throw new WorkflowError(
      'ACTION_INPUT_INVALID',
      `${AI_COMPLETE_ACTION}: validate is not a valid JSON Schema: ${(error as Error).message}`,
    );
  }
}

async function complete(
  input: AiCompleteInput,
  ctx: ActionContext,
  options: AiActionOptions,
  compileSchema: CompileSchema,
) {
  const providerName = input.provider ?? options.defaultProvider;
  const settings = options.providers[providerName];
  const apiKey = settings.apiKey;
  if (!apiKey)
    throw new AiActionError(
      'NOT_CONFIGURED',
      `no API key for provider "${providerName}" (set ${providerName.toUpperCase()}_API_KEY)`,
    );
  const validate = compileValidate(compileSchema, input.validate);
  const context = input.enhance ? await projectContextOf(input, options, ctx.signal) : undefined;
  const attempts = validate ? (input.validateAttempts ?? options.validateAttempts) : 1;
  let previousErrors: string | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const prompt = buildPrompt({
      prompt: input.prompt,
      context,
      maxContextChars: options.maxContextChars,
      schema: input.validate,
      previousErrors,
    });
    const text = await callProvider(
      PROVIDERS[providerName],
      { ...settings, apiKey },
      {
        model: settings.model,
        prompt,
        system: input.system,
        maxTokens: input.maxTokens ?? options.maxTokens,
      },
      options,
      ctx.signal,
      ctx.logger,
    );
    const result = { provider: providerName, model: settings.model, text, attempts: attempt };
    if (!validate) return result;
    const answer = parseJsonAnswer(text, validate);
    if (answer.ok) return { ...result, json: answer.value };
    previousErrors = answer.errors;
    ctx.logger.info(
      { runId: ctx.runId, stepId: ctx.stepId, attempt, errors: answer.errors },
      'ai answer does not match its schema',
    );
  }
  throw new AiActionError(
    'OUTPUT_INVALID',
    `no answer matched the schema in ${attempts} attempts; last errors: ${previousErrors ?? ''}`,
  );
}

/**
 * `ai.complete`: completes a prompt with Anthropic or Gemini. `enhance` puts the project's
 * context before the prompt; `validate` requires a JSON answer matching that schema, asking again
 * with the validation errors up to `validateAttempts` times. A provider without a key fails at
 * once with `NOT_CONFIGURED` (never retried).
 */
export function createAiCompleteAction(options: AiActionOptions): ActionHandler {
  const compileSchema = createStepSchemaCompiler();
  return {
    name: AI_COMPLETE_ACTION,
    description:
      'Completes a prompt with Anthropic (Messages API) or Gemini (generateContent); optional project context (`enhance`) and JSON Schema output (`validate`).',
    timeoutMs: options.actionTimeoutMs,
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['prompt'],
      properties: {
        provider: { enum: [...AI_PROVIDERS] },
        prompt: { type: 'string', minLength: 1 },
        system: { type: 'string' },
        maxTokens: { type: 'integer', minimum: 1 },
        validate: { type: 'object' },
        validateAttempts: { type: 'integer', minimum: 1, maximum: 10 },
        enhance: { type: 'boolean' },
        context: {},
        projectId: { type: 'string', minLength: 1 },
      },
    },
    outputSchema: {
      type: 'object',
      required: ['provider', 'model', 'text', 'attempts'],
      properties: {
        provider: { enum: [...AI_PROVIDERS] },
        model: { type: 'string' },
        text: { type: 'string' },
        attempts: { type: 'integer', minimum: 1 },
        json: {},
      },
    },
    run: (input, ctx) => complete(input as unknown as AiCompleteInput, ctx, options, compileSchema),
  };
}
