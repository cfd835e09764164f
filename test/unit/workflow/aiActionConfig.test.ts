import { workflowOptionsFromEnv } from '../../../subgraphs/workflow/src/config';
import { defaultAiActionOptions } from '../../../subgraphs/workflow/src/actions/ai';

describe('workflowOptionsFromEnv (ai)', () => {
  it('should leave providers unconfigured with the default models and URLs', () => {
    const { ai } = workflowOptionsFromEnv({ ANTHROPIC_API_KEY: '', GEMINI_API_KEY: '  ' });
    expect(ai.providers.anthropic).toEqual({
      apiKey: undefined,
      model: defaultAiActionOptions.providers.anthropic.model,
      baseUrl: 'https://api.anthropic.com',
    });
    expect(ai.providers.gemini).toMatchObject({
      apiKey: undefined,
      baseUrl: 'https://generativelanguage.googleapis.com',
    });
    expect(ai.httpAttempts).toBe(defaultAiActionOptions.httpAttempts);
  });

  it('should read keys, models, base URLs and retry settings', () => {
    const { ai } = workflowOptionsFromEnv({
      ANTHROPIC_API_KEY: 'sk-ant',
      ANTHROPIC_MODEL: 'claude-x',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999',
      GEMINI_API_KEY: 'gem',
      GEMINI_MODEL: 'gemini-x',
      WORKFLOW_AI_PROVIDER: 'gemini',
      WORKFLOW_AI_REQUEST_TIMEOUT_MS: '1500',
      WORKFLOW_AI_HTTP_ATTEMPTS: '5',
    });
    expect(ai.providers.anthropic).toEqual({
      apiKey: 'sk-ant',
      model: 'claude-x',
      baseUrl: 'http://127.0.0.1:9999',
    });
    expect(ai.providers.gemini).toMatchObject({ apiKey: 'gem', model: 'gemini-x' });
    expect(ai).toMatchObject({
      defaultProvider: 'gemini',
      requestTimeoutMs: 1500,
      httpAttempts: 5,
    });
  });

  it('should refuse a base URL that is not a URL', () => {
    expect(() => workflowOptionsFromEnv({ GEMINI_BASE_URL: 'not a url' })).toThrow(
      /GEMINI_BASE_URL/,
    );
  });
});
