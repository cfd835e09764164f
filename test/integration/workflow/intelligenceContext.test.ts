import { actionContext } from '../../utils/actionContext';
import { signClaims } from '../../../lib/graphql/gatewaySignature';
import {
  intelligenceOptionsFromEnv,
  startIntelligence,
  type RunningIntelligence,
} from '../../../subgraphs/intelligence/src';
import {
  createAiCompleteAction,
  defaultAiActionOptions,
} from '../../../subgraphs/workflow/src/actions/ai';
import { createIntelligenceContextSource } from '../../../subgraphs/workflow/src/actions/ai/intelligenceContextSource';
import { startFakeAiProvider, type FakeAiProvider } from '../../utils/startFakeAiProvider';
import { testEnv } from '../../utils/servicesEnv';

const SECRET = 'intelligence-context-test-secret';

describe('enhance reads the project context from the intelligence subgraph', () => {
  let intelligence: RunningIntelligence;
  let fake: FakeAiProvider;
  const projectId = `p-${Date.now().toString(36)}`;

  beforeAll(async () => {
    intelligence = await startIntelligence(
      intelligenceOptionsFromEnv(testEnv({ GATEWAY_SIGNING_SECRET: SECRET })),
    );
    fake = await startFakeAiProvider();
    // A style and a decision, written as the gateway would (signed).
    const response = await fetch(intelligence.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signClaims(SECRET, { sub: 'test' }) },
      body: JSON.stringify({
        query: `mutation($input: UpdateProjectContextInput!) { updateProjectContext(input: $input) { version } }`,
        variables: {
          input: {
            projectId,
            expectedVersion: 0,
            style: { primaryColor: '#0a84ff', radius: 'rounded-lg' },
            decisions: [{ key: 'framework', value: 'react' }],
          },
        },
      }),
    });
    const answer = (await response.json()) as {
      data?: { updateProjectContext?: { version: number } };
    };
    if (answer?.data?.updateProjectContext?.version !== 1)
      throw new Error(`could not set the project context: ${JSON.stringify(answer)}`);
  });

  afterAll(async () => {
    await fake?.stop();
    await intelligence?.stop();
  });

  it('should read style and decisions with a signed request', async () => {
    const source = createIntelligenceContextSource({
      url: intelligence.graphqlUrl,
      gatewaySecret: SECRET,
      timeoutMs: 5000,
    });
    const context = await source(projectId, new AbortController().signal);
    expect(context).toMatchObject({
      version: 1,
      style: { primaryColor: '#0a84ff', radius: 'rounded-lg' },
      decisions: [{ key: 'framework', value: 'react' }],
      componentsByType: [],
      components: [],
    });
  });

  it('should fail naming the status when the signature is wrong', async () => {
    const source = createIntelligenceContextSource({
      url: intelligence.graphqlUrl,
      gatewaySecret: 'another-secret-of-enough-length',
      timeoutMs: 5000,
    });
    await expect(source(projectId, new AbortController().signal)).rejects.toThrow(
      /intelligence answered 401: request not signed by the gateway/,
    );
  });

  it('should put that context into the prompt of an enhance step', async () => {
    const action = createAiCompleteAction({
      ...defaultAiActionOptions,
      providers: {
        ...defaultAiActionOptions.providers,
        anthropic: { apiKey: 'sk-ant-test', model: 'claude-test', baseUrl: fake.baseUrl },
      },
      projectContext: createIntelligenceContextSource({
        url: intelligence.graphqlUrl,
        gatewaySecret: SECRET,
        timeoutMs: 5000,
      }),
    });
    fake.reply({ text: 'A blue rounded card.' });
    await action.run(
      { prompt: 'Design a card', enhance: true, projectId },
      actionContext({ stepId: 'enhance' }),
    );
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.problems).toEqual([]);
    expect(fake.requests[0]!.prompt).toContain('#0a84ff');
    expect(fake.requests[0]!.prompt).toContain('framework');
    expect(fake.requests[0]!.prompt).toContain('Design a card');
  });
});
