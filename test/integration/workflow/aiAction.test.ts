import { startFakeAiProvider, type FakeAiProvider } from '../../utils/startFakeAiProvider';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

const componentSchema = {
  type: 'object',
  required: ['name', 'type'],
  properties: { name: { type: 'string' }, type: { enum: ['ATOM', 'MOLECULE', 'ORGANISM'] } },
};

describe('workflow ai.complete action', () => {
  let harness: WorkflowHarness;
  let fake: FakeAiProvider;

  beforeAll(async () => {
    fake = await startFakeAiProvider();
    harness = await startWorkflowHarness({
      ANTHROPIC_API_KEY: 'sk-ant-integration',
      ANTHROPIC_MODEL: 'claude-integration',
      ANTHROPIC_BASE_URL: fake.baseUrl,
      // Gemini stays unconfigured: its steps must fail at once, and the role still starts.
      GEMINI_API_KEY: '',
      GEMINI_BASE_URL: fake.baseUrl,
      WORKFLOW_AI_REQUEST_TIMEOUT_MS: '5000',
    });
  });

  afterAll(async () => {
    await harness?.stop();
    await fake?.stop();
  });

  it('should complete an enhanced, validated prompt in a run through the local provider', async () => {
    await harness.define({
      id: 'ai-design',
      version: '1.0.0',
      name: 'AI design',
      steps: [
        {
          id: 'spec',
          type: 'action',
          action: 'ai.complete',
          input: {
            provider: 'anthropic',
            system: 'You design UI components.',
            prompt: "='Propose a component for: ' & input.need",
            enhance: true,
            context: '=input.project',
            validate: componentSchema,
          },
        },
        {
          id: 'announce',
          type: 'action',
          action: 'test.echo',
          input: { value: '=outputs.spec.json.name' },
        },
      ],
    });
    // A 503 first (retried inside the action), then an answer the schema refuses, then a good one.
    fake.reply(
      { status: 503 },
      { text: '{"name": "Card"}' },
      { text: '{"name": "Card", "type": "MOLECULE"}' },
    );
    const runId = await harness.start('ai-design', {
      need: 'a product card',
      project: { style: { radius: 'rounded-lg' } },
    });
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED']);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.outputs?.spec).toMatchObject({
      provider: 'anthropic',
      model: 'claude-integration',
      attempts: 2,
      json: { name: 'Card', type: 'MOLECULE' },
    });
    expect(run.outputs?.announce).toEqual({ value: 'Card' });

    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.every((r) => r.problems.length === 0)).toBe(true);
    expect(fake.requests[0]!.headers['x-api-key']).toBe('sk-ant-integration');
    expect(fake.requests[0]!.body).toMatchObject({
      model: 'claude-integration',
      system: 'You design UI components.',
    });
    expect(fake.requests[0]!.prompt).toContain('"radius": "rounded-lg"');
    expect(fake.requests[0]!.prompt).toContain('Propose a component for: a product card');
    expect(fake.requests[2]!.prompt).toContain("must have required property 'type'");
  });

  it('should fail a step of an unconfigured provider at once with NOT_CONFIGURED', async () => {
    const before = fake.requests.length;
    await harness.define({
      id: 'ai-unconfigured',
      version: '1.0.0',
      name: 'AI without a key',
      steps: [
        {
          id: 'ask',
          type: 'action',
          action: 'ai.complete',
          input: { provider: 'gemini', prompt: 'hello' },
          retry: { attempts: 3, backoff: { type: 'fixed', delayMs: 100 } },
        },
      ],
    });
    const runId = await harness.start('ai-unconfigured');
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(run.status).toBe('FAILED');
    expect(run.error).toContain('NOT_CONFIGURED');
    expect(run.error).toContain('GEMINI_API_KEY');
    expect(run.steps.find((step) => step.stepId === 'ask')?.attempts).toBe(1);
    expect(fake.requests).toHaveLength(before);
  });
});
