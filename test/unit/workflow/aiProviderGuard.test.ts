import { actionContext } from '../../utils/actionContext';
import { createLogger } from '../../../lib/logging';
import { createBreakerRegistry, createHostRateLimiter } from '../../../lib/resilience';
import {
  createAiCompleteAction,
  defaultAiActionOptions,
  type AiActionOptions,
} from '../../../subgraphs/workflow/src/actions/ai';
import type { OutboundGuard } from '../../../subgraphs/workflow/src/actions/outboundGuard';
import { eventually } from '../../utils/graphqlClient';
import { startFakeAiProvider, type FakeAiProvider } from '../../utils/startFakeAiProvider';

const logger = createLogger({ name: 'test', level: 'silent' });

describe('ai.complete behind its breaker and rate limiter', () => {
  let fake: FakeAiProvider;
  let guard: OutboundGuard;
  let options: AiActionOptions;

  beforeEach(async () => {
    fake = await startFakeAiProvider();
    guard = {
      breakers: createBreakerRegistry({
        logger,
        volumeThreshold: 2,
        errorThresholdPercentage: 50,
        resetTimeoutMs: 60_000,
      }),
      limiter: createHostRateLimiter({ defaultRate: { points: 1, durationSec: 60 } }),
    };
    options = {
      ...defaultAiActionOptions,
      providers: {
        anthropic: { apiKey: 'sk-ant-test', model: 'claude-test', baseUrl: fake.baseUrl },
        gemini: { apiKey: 'gem-test', model: 'gemini-test', baseUrl: fake.baseUrl },
      },
      backoffMs: 1,
      maxBackoffMs: 5,
      httpAttempts: 2,
      guard,
    };
  });

  afterEach(async () => {
    guard.breakers.shutdown();
    await fake.stop();
  });

  it('should open the provider’s breaker on 5xx and then fail with CIRCUIT_OPEN without calling', async () => {
    // Plenty of tokens: this test is about the breaker.
    guard.limiter = createHostRateLimiter();
    options.guard = guard;
    fake.reply({ status: 503 }, { status: 503 });
    await expect(
      createAiCompleteAction(options).run({ prompt: 'hi' }, actionContext({ stepId: 'ask' })),
    ).rejects.toMatchObject({
      reason: 'PROVIDER_UNAVAILABLE',
    });
    expect(guard.breakers.list()).toEqual([
      expect.objectContaining({ name: 'ai:anthropic', state: 'OPEN' }),
    ]);
    await expect(
      createAiCompleteAction(options).run({ prompt: 'hi' }, actionContext({ stepId: 'ask' })),
    ).rejects.toMatchObject({
      reason: 'CIRCUIT_OPEN',
      code: 'CIRCUIT_OPEN',
      retriable: true,
    });
    expect(fake.requests).toHaveLength(2);
    // Another provider has its own breaker.
    await expect(
      createAiCompleteAction(options).run(
        { provider: 'gemini', prompt: 'hi' },
        actionContext({ stepId: 'ask' }),
      ),
    ).resolves.toMatchObject({ text: 'ok' });
  });

  it('should wait for a token of the provider’s host before calling', async () => {
    await createAiCompleteAction(options).run(
      { prompt: 'first' },
      actionContext({ stepId: 'ask' }),
    );
    const controller = new AbortController();
    const second = createAiCompleteAction(options)
      .run({ prompt: 'second' }, actionContext({ stepId: 'ask', signal: controller.signal }))
      .catch((error: unknown) => error);
    // It is waiting on the host's bucket (the limiter counted the wait), not calling.
    const host = new URL(fake.baseUrl).host;
    await eventually(
      async () => {
        const waits = await guard.limiter.registry.getSingleMetricAsString(
          'outbound_rate_limit_waits_total',
        );
        return waits.includes(`host="${host}",reason="budget"`) ? true : undefined;
      },
      5000,
      10,
    );
    expect(fake.requests).toHaveLength(1);
    controller.abort(new Error('step deadline'));
    await expect(second).resolves.toMatchObject({ message: 'step deadline' });
    expect(fake.requests).toHaveLength(1);
    // Waiting is not a failure: the breaker saw one success and nothing else.
    expect(guard.breakers.list()[0]!.counts).toMatchObject({ successes: 1, failures: 0 });
  });
});
