import { eventually } from '../../utils/graphqlClient';
import { startTestStack, type TestStack } from '../../utils/startTestStack';

const RUN = /* GraphQL */ `
  query Run($id: ID!) {
    workflowRun(id: $id) {
      status
      components {
        id
        name
        workflowRuns {
          id
        }
      }
    }
  }
`;

describe('workflow runs in the supergraph', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('should start the pipeline through the gateway and resolve its registry components', async () => {
    const registered = await stack.query<{ registerComponent: { component: { id: string } } }>(
      `mutation { registerComponent(input: { name: "PipelineCard", type: MOLECULE, version: "1.0.0" }) { component { id } } }`,
    );
    expect(registered.errors).toBeUndefined();
    const componentId = registered.data!.registerComponent.component.id;

    const started = await stack.query<{ startRun: { id: string } }>(
      `mutation S($input: StartRunInput!) { startRun(input: $input) { id } }`,
      {
        input: {
          definitionId: 'component-generation-pipeline',
          input: { componentIds: [componentId] },
          idempotencyKey: `federation-${componentId}`,
        },
      },
    );
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startRun.id;

    const done = await eventually(async () => {
      const result = await stack.query<{ workflowRun: { status: string } }>(RUN, { id: runId });
      return result.data?.workflowRun.status === 'SUCCEEDED' ? result : undefined;
    });
    expect(done.errors).toBeUndefined();
    expect(done.data?.workflowRun).toEqual({
      status: 'SUCCEEDED',
      components: [{ id: componentId, name: 'PipelineCard', workflowRuns: [{ id: runId }] }],
    });
  });
});
