import { actionContext } from '../../utils/actionContext';
import pino from 'pino';
import { createLogger, type Logger } from '../../../lib/logging';
import { createActionRegistry } from '../../../subgraphs/workflow/src/actions/createActionRegistry';
import {
  AiActionError,
  createAiCompleteAction,
  defaultAiActionOptions,
  type AiActionOptions,
} from '../../../subgraphs/workflow/src/actions/ai';
import { eventually } from '../../utils/graphqlClient';
import { startFakeAiProvider, type FakeAiProvider } from '../../utils/startFakeAiProvider';

const logger = createLogger({ name: 'test', level: 'silent' });

/** A logger keeping its warnings, to read the wait the client chose before a retry. */
const recordingLogger = () => {
  const lines: { msg: string; waitMs?: number }[] = [];
  const recording: Logger = pino(
    { level: 'warn' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { recording, lines };
};

describe('ai.complete', () => {
  let fake: FakeAiProvider;
  let options: AiActionOptions;

  beforeEach(async () => {
    fake = await startFakeAiProvider();
    options = {
      ...defaultAiActionOptions,
      providers: {
        anthropic: { apiKey: 'sk-ant-test', model: 'claude-test', baseUrl: fake.baseUrl },
        gemini: { apiKey: 'gem-test', model: 'gemini-test', baseUrl: `${fake.baseUrl}/` },
      },
      // A test that passes only by waiting out a backoff would hang here: waits are explicit.
      backoffMs: 1,
      maxBackoffMs: 5,
    };
  });

  afterEach(() => fake.stop());

  const run = (
    input: Record<string, unknown>,
    overrides: Partial<AiActionOptions> = {},
    signal?: AbortSignal,
  ) =>
    createAiCompleteAction({ ...options, ...overrides }).run(
      input,
      actionContext({ stepId: 'ask', ...(signal && { signal }) }),
    );

  /**
   * Answers one 429 with `retryAfter()` and returns the wait the action logged before retrying
   * (then aborts it), with the clock just before the request and just after the log line.
   */
  const firstRetryAfter = async (retryAfter: () => string) => {
    fake.reply({ status: 429, headers: { 'retry-after': retryAfter() } });
    const { recording, lines } = recordingLogger();
    const controller = new AbortController();
    const sentAfter = Date.now();
    const pending = createAiCompleteAction(options)
      .run(
        { prompt: 'hi' },
        actionContext({ stepId: 'ask', signal: controller.signal, logger: recording }),
      )
      .catch((e: unknown) => e);
    const retry = await eventually(
      async () => lines.find((l) => l.msg.includes('retrying')),
      5000,
      10,
    );
    const seenBefore = Date.now();
    controller.abort(new Error('stop waiting'));
    await expect(pending).resolves.toMatchObject({ message: 'stop waiting' });
    expect(fake.requests).toHaveLength(1);
    return { waitMs: retry.waitMs as number, sentAfter, seenBefore };
  };

  it('should call the Anthropic Messages API as documented and return the text', async () => {
    fake.reply({ text: 'Hello from Claude' });
    const output = await run({
      provider: 'anthropic',
      prompt: 'Say hello',
      system: 'Be brief',
      maxTokens: 64,
    });
    expect(output).toEqual({
      provider: 'anthropic',
      model: 'claude-test',
      text: 'Hello from Claude',
      attempts: 1,
    });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.problems).toEqual([]);
    expect(request!.api).toBe('anthropic');
    expect(request!.headers['x-api-key']).toBe('sk-ant-test');
    expect(request!.headers['anthropic-version']).toBe('2023-06-01');
    expect(request!.body).toEqual({
      model: 'claude-test',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello' }],
      system: 'Be brief',
    });
  });

  it('should call Gemini generateContent as documented and return the text', async () => {
    fake.reply({ text: 'Hello from Gemini' });
    const output = await run({ provider: 'gemini', prompt: 'Say hello' });
    expect(output).toMatchObject({
      provider: 'gemini',
      model: 'gemini-test',
      text: 'Hello from Gemini',
    });
    const [request] = fake.requests;
    expect(request!.problems).toEqual([]);
    expect(request!.api).toBe('gemini');
    expect(request!.model).toBe('gemini-test');
    expect(request!.headers['x-goog-api-key']).toBe('gem-test');
    expect(request!.body.contents).toEqual([{ role: 'user', parts: [{ text: 'Say hello' }] }]);
  });

  it('should use the configured default provider when the step names none', async () => {
    await run({ prompt: 'hi' }, { defaultProvider: 'gemini' });
    expect(fake.requests[0]!.api).toBe('gemini');
  });

  it('should honour Retry-After on 429 (seconds and HTTP date) instead of its own backoff', async () => {
    fake.reply(
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': new Date(Date.now() - 1000).toUTCString() } },
      { text: 'finally' },
    );
    // With a one-hour backoff, only honouring Retry-After lets this finish.
    const output = await run({ prompt: 'hi' }, { backoffMs: 3_600_000, maxBackoffMs: 3_600_000 });
    expect(output).toMatchObject({ text: 'finally' });
    expect(fake.requests).toHaveLength(3);
  });

  it('should wait the Retry-After of a 429 given as delay-seconds', async () => {
    const { waitMs } = await firstRetryAfter(() => '30');
    expect(waitMs).toBe(30_000);
  });

  it('should wait the Retry-After of a 429 given as an HTTP date, up to that date', async () => {
    // HTTP dates have whole seconds: the header names `due` rounded down to its second.
    const due = Math.floor((Date.now() + 20_000) / 1000) * 1000;
    const { waitMs, sentAfter, seenBefore } = await firstRetryAfter(() =>
      new Date(due).toUTCString(),
    );
    // The header was read between sending the request and seeing the retry logged.
    expect(waitMs).toBeLessThanOrEqual(due - sentAfter);
    expect(waitMs).toBeGreaterThanOrEqual(due - seenBefore);
  });

  it('should fail at once (retriable) when Retry-After exceeds its bound', async () => {
    fake.reply({ status: 429, headers: { 'retry-after': '120' }, error: 'rate limited' });
    const error = await run({ prompt: 'hi' }, { maxRetryAfterMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiActionError);
    expect(error).toMatchObject({ reason: 'PROVIDER_UNAVAILABLE', status: 429, retriable: true });
    expect((error as Error).message).toContain('rate limited');
    expect(fake.requests).toHaveLength(1);
  });

  it('should retry 5xx answers and succeed', async () => {
    fake.reply({ status: 503 }, { status: 500 }, { text: 'recovered' });
    await expect(run({ provider: 'gemini', prompt: 'hi' })).resolves.toMatchObject({
      text: 'recovered',
    });
    expect(fake.requests).toHaveLength(3);
  });

  it('should give up after the last attempt with a retriable PROVIDER_UNAVAILABLE', async () => {
    fake.reply({ status: 503, error: 'overloaded' }, { status: 503, error: 'overloaded' });
    await expect(run({ prompt: 'hi' }, { httpAttempts: 2 })).rejects.toMatchObject({
      reason: 'PROVIDER_UNAVAILABLE',
      code: 'ACTION_FAILED',
      status: 503,
      retriable: true,
      message: expect.stringContaining('overloaded'),
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('should fail a 4xx other than 429 at once with the provider message', async () => {
    fake.reply({ status: 401, error: 'invalid x-api-key' });
    await expect(run({ prompt: 'hi' })).rejects.toMatchObject({
      reason: 'PROVIDER_REJECTED',
      status: 401,
      retriable: false,
      message: expect.stringContaining('invalid x-api-key'),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('should end a request that never answers at its deadline and retry it', async () => {
    fake.reply({ hang: true }, { hang: true });
    await expect(
      run({ prompt: 'hi' }, { requestTimeoutMs: 100, httpAttempts: 2 }),
    ).rejects.toMatchObject({
      reason: 'PROVIDER_TIMEOUT',
      code: 'ACTION_TIMEOUT',
      retriable: true,
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('should stop at once when the action is aborted', async () => {
    fake.reply({ hang: true });
    const controller = new AbortController();
    const pending = run({ prompt: 'hi' }, { requestTimeoutMs: 600_000 }, controller.signal).catch(
      (e: unknown) => e,
    );
    await eventually(async () => (fake.requests.length === 1 ? true : undefined), 5000, 10);
    controller.abort(new Error('action timed out'));
    expect(await pending).toMatchObject({ message: 'action timed out' });
    expect(fake.requests).toHaveLength(1);
  });

  it('should ask again with the validation errors until the answer matches the schema', async () => {
    const schema = {
      type: 'object',
      required: ['name', 'type'],
      properties: { name: { type: 'string' }, type: { enum: ['ATOM', 'MOLECULE'] } },
    };
    fake.reply(
      { text: 'Sure! Here it is.' },
      { text: '{"name": 42, "type": "ATOM"}' },
      { text: '```json\n{"name": "Button", "type": "ATOM"}\n```' },
    );
    const output = await run({ prompt: 'Describe a button', validate: schema });
    expect(output).toMatchObject({ attempts: 3, json: { name: 'Button', type: 'ATOM' } });
    const prompts = fake.requests.map((r) => r.prompt);
    expect(prompts[0]).toContain(JSON.stringify(schema));
    expect(prompts[0]).not.toContain('rejected');
    expect(prompts[1]).toContain('the answer is not JSON');
    expect(prompts[2]).toContain('/name must be string');
    expect(prompts.every((p) => p.startsWith('Describe a button'))).toBe(true);
  });

  it('should fail with OUTPUT_INVALID when no answer matches within validateAttempts', async () => {
    fake.reply({ text: '[]' }, { text: '[]' });
    await expect(
      run({ prompt: 'x', validate: { type: 'object' }, validateAttempts: 2 }),
    ).rejects.toMatchObject({
      reason: 'OUTPUT_INVALID',
      code: 'ACTION_OUTPUT_INVALID',
      retriable: false,
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('should put the project context before the task with enhance', async () => {
    const context = {
      style: { colors: { primary: '#0af' } },
      decisions: [{ key: 'css', value: 'tailwind' }],
    };
    await run({ prompt: 'Design a card', enhance: true, context });
    const { prompt } = fake.requests[0]!;
    expect(prompt).toContain('"primary": "#0af"');
    expect(prompt).toContain('"tailwind"');
    expect(prompt.indexOf('Project context')).toBeLessThan(prompt.indexOf('Task:\nDesign a card'));
  });

  it('should fetch the context through the configured source with enhance and projectId', async () => {
    const asked: string[] = [];
    const projectContext = async (projectId: string) => (asked.push(projectId), { styleEpoch: 7 });
    await run({ prompt: 'x', enhance: true, projectId: 'p-1' }, { projectContext });
    expect(asked).toEqual(['p-1']);
    expect(fake.requests[0]!.prompt).toContain('"styleEpoch": 7');
  });

  it('should refuse enhance without a context or a source', async () => {
    await expect(run({ prompt: 'x', enhance: true })).rejects.toMatchObject({
      reason: 'CONTEXT_UNAVAILABLE',
      code: 'ACTION_INPUT_INVALID',
      retriable: false,
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('should fail at once with NOT_CONFIGURED, not retriable, without a key', async () => {
    const unconfigured = createActionRegistry([createAiCompleteAction(defaultAiActionOptions)]);
    const invocation = { runId: 'r', stepId: 's', attempt: 1, componentIds: [], logger };
    for (const provider of ['anthropic', 'gemini'])
      await expect(
        unconfigured.execute('ai.complete', { provider, prompt: 'hi' }, invocation),
      ).rejects.toMatchObject({
        name: 'AiActionError',
        reason: 'NOT_CONFIGURED',
        retriable: false,
        message: expect.stringContaining(`${provider.toUpperCase()}_API_KEY`),
      });
    expect(fake.requests).toHaveLength(0);
  });
});
