import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CloudEvent } from '../../../lib/events';
import { REPO_ROOT } from '../../../lib/graphql';
import { eventually } from '../../utils/graphqlClient';
import { startFakeAiProvider, type FakeAiProvider } from '../../utils/startFakeAiProvider';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

/** The id `component.register` derives for a component a run requests (builtinActions.ts). */
const requestedId = (runId: string, name: string) => {
  const hex = createHash('sha256').update(`${runId}/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

interface Spec {
  name: string;
  type: string;
  level: string;
  props: unknown[];
  variants: string[];
}

const STEPS = /* GraphQL */ `
  query Steps($id: ID!) {
    workflowRun(id: $id) {
      steps {
        stepId
        status
        attempts
        error
      }
    }
    runProgressEvents(runId: $id) {
      kind
      stepId
      fromStep
      toStep
      message
    }
  }
`;

interface StepsView {
  workflowRun: { steps: { stepId: string; status: string; attempts: number; error: string }[] };
  runProgressEvents: {
    kind: string;
    stepId: string | null;
    fromStep: string | null;
    toStep: string | null;
    message: string | null;
  }[];
}

describe('hybrid worker: script analyses, AI enhances, script result on AI failure', () => {
  let harness: WorkflowHarness;
  let fake: FakeAiProvider;
  const design = JSON.parse(
    readFileSync(join(REPO_ROOT, 'workers/designs/landing-page.design.json'), 'utf8'),
  ) as object;

  beforeAll(async () => {
    fake = await startFakeAiProvider();
    harness = await startWorkflowHarness({
      ANTHROPIC_API_KEY: 'sk-ant-hybrid',
      ANTHROPIC_MODEL: 'claude-hybrid',
      ANTHROPIC_BASE_URL: fake.baseUrl,
      // Gemini has no key: a run that asks for it finds the AI worker unavailable at once.
      GEMINI_API_KEY: '',
      GEMINI_BASE_URL: fake.baseUrl,
      WORKFLOW_AI_REQUEST_TIMEOUT_MS: '5000',
      WORKFLOW_AI_HTTP_ATTEMPTS: '2',
    });
    const definition = parseYaml(
      readFileSync(join(REPO_ROOT, 'workers/definitions/design-to-components-hybrid.yaml'), 'utf8'),
    ) as object;
    await harness.define(definition);
  });

  afterAll(async () => {
    await harness?.stop();
    await fake?.stop();
  });

  /** The `component.registration.requested` data the run emitted, read back from Kafka. */
  const registrationRequests = async (runId: string, count: number) => {
    const { kafka, topics } = harness.workflow.runtime.kafka;
    const consumer = kafka.consumer({ groupId: `hybrid-test-${randomUUID()}` });
    const found: Record<string, unknown>[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: topics.events('workflow'), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value!.toString()) as CloudEvent;
          const data = event.data as Record<string, unknown>;
          if (event.type === 'component.registration.requested' && data.runId === runId)
            found.push(data);
        },
      });
      await eventually(async () => (found.length >= count ? true : undefined), 30_000);
    } finally {
      await consumer.disconnect();
    }
    return found;
  };

  const details = async (runId: string) => {
    const result = await harness.query<StepsView>(STEPS, { id: runId });
    expect(result.errors).toBeUndefined();
    return result.data!;
  };

  it('should register the AI-enhanced specs when the AI worker answers', async () => {
    const before = fake.requests.length;
    const enhanced: Spec[] = [
      {
        name: 'Button',
        type: 'button',
        level: 'ATOM',
        props: [{ name: 'label', type: 'string', required: true }],
        variants: ['primary', 'secondary', 'loading', 'disabled', 'focus-visible'],
      },
      { name: 'Card', type: 'card', level: 'MOLECULE', props: [], variants: ['elevated'] },
      { name: 'Input', type: 'input', level: 'ATOM', props: [], variants: ['error'] },
      { name: 'IconButton', type: 'button', level: 'ATOM', props: [], variants: ['ghost'] },
    ];
    fake.reply({ text: JSON.stringify({ components: enhanced }) });

    const runId = await harness.start('design-to-components-hybrid', { design });
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');

    // The AI worker got the script's specs and its answer was validated.
    expect(fake.requests).toHaveLength(before + 1);
    const request = fake.requests[before]!;
    expect(request.problems).toEqual([]);
    expect(request.api).toBe('anthropic');
    expect(request.prompt).toContain('"name":"Button"');
    expect(request.prompt).toContain('"name":"Card"');
    expect(run.outputs?.enhance).toMatchObject({ attempts: 1, json: { components: enhanced } });

    // No fallback, and the enhanced specs (four, IconButton included) were registered.
    expect(run.outputs?.fallback).toBeUndefined();
    expect(run.transitions.map((t) => [t.from, t.to, t.status])).toEqual([
      ['analyse', 'enhance', 'SUCCESS'],
      ['enhance', 'register', 'SUCCESS'],
      ['register', null, 'SUCCESS'],
    ]);
    const register = run.outputs!.register as { requestedIds: string[] };
    expect(register.requestedIds).toEqual(enhanced.map((spec) => requestedId(runId, spec.name)));
    const requests = await registrationRequests(runId, enhanced.length);
    expect(requests.map((r) => [r.name, r.type, r.tags])).toEqual([
      ['Button', 'ATOM', ['button', 'ai-enhanced']],
      ['Card', 'MOLECULE', ['card', 'ai-enhanced']],
      ['Input', 'ATOM', ['input', 'ai-enhanced']],
      ['IconButton', 'ATOM', ['button', 'ai-enhanced']],
    ]);
  });

  const expectDegraded = async (runId: string, reason: RegExp, attempts: number) => {
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');

    // The script's specs, unchanged, were registered.
    const analyse = run.outputs!.analyse as { components: Spec[] };
    expect(analyse.components.map((c) => c.name)).toEqual(['Button', 'Card', 'Input']);
    const register = run.outputs!.register as { requestedIds: string[] };
    expect(register.requestedIds).toEqual(
      analyse.components.map((spec) => requestedId(runId, spec.name)),
    );
    const requests = await registrationRequests(runId, analyse.components.length);
    expect(requests.map((r) => [r.name, r.type, r.tags, r.description])).toEqual(
      analyse.components.map((spec) => [
        spec.name,
        spec.level,
        [spec.type, 'script-only'],
        'Generated from a design (script only: AI worker unavailable)',
      ]),
    );

    // The degradation is recorded: no enhance output, the fallback's marker, the failed
    // transition, the failed step with its reason, and the same in the progress feed.
    expect(run.outputs?.enhance).toBeUndefined();
    expect(run.outputs?.fallback).toEqual({ next: 'register' });
    expect(run.transitions.map((t) => [t.from, t.to, t.status])).toEqual([
      ['analyse', 'enhance', 'SUCCESS'],
      ['enhance', 'fallback', 'FAILED'],
      ['fallback', 'register', 'SUCCESS'],
      ['register', null, 'SUCCESS'],
    ]);
    const { workflowRun, runProgressEvents } = await details(runId);
    const enhance = workflowRun.steps.find((step) => step.stepId === 'enhance')!;
    expect(enhance).toMatchObject({ status: 'FAILED', attempts });
    expect(enhance.error).toMatch(reason);
    expect(runProgressEvents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'TRANSITIONED',
          fromStep: 'enhance',
          toStep: 'fallback',
          message: 'failed',
        }),
      ]),
    );
    return runProgressEvents;
  };

  it('should go on with the script specs when the AI provider is not configured', async () => {
    const before = fake.requests.length;
    const runId = await harness.start('design-to-components-hybrid', {
      design,
      aiProvider: 'gemini',
    });
    await expectDegraded(runId, /ai\.complete: NOT_CONFIGURED: .*GEMINI_API_KEY/, 1);
    expect(fake.requests).toHaveLength(before);
  });

  it('should go on with the script specs when the AI provider stays unavailable', async () => {
    const before = fake.requests.length;
    // 2 HTTP attempts per completion × 2 step attempts, all 503.
    fake.reply({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const runId = await harness.start('design-to-components-hybrid', { design });
    const progress = await expectDegraded(runId, /ai\.complete: PROVIDER_UNAVAILABLE/, 2);
    expect(fake.requests).toHaveLength(before + 4);
    expect(progress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'STEP_PROGRESSED',
          stepId: 'enhance',
          message: expect.stringMatching(/^attempt 1 failed \(ai\.complete: PROVIDER_UNAVAILABLE/),
        }),
      ]),
    );
  });
});
