import { eventually } from '../utils/graphqlClient';
import { startTestStack, type TestStack } from '../utils/startTestStack';

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      eventIds
      component {
        id
        name
        version
        dependencies {
          id
          name
        }
      }
    }
  }
`;

const COMPONENT_WITH_INSIGHTS = /* GraphQL */ `
  query Component($id: ID!) {
    component(id: $id) {
      id
      name
      type
      insights {
        eventCount
        lastEventType
        registeredAt
      }
      workflowRuns {
        id
      }
    }
  }
`;

describe('registration slice (gateway → registry → MongoDB → Kafka → consumer → intelligence → gateway)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('should show intelligence learned from a component registered through the gateway', async () => {
    const registered = await stack.query<{
      registerComponent: { eventIds: string[]; component: { id: string; name: string } };
    }>(REGISTER, {
      input: { name: 'PrimaryButton', type: 'ATOM', version: '1.0.0', tags: ['ui'] },
    });
    expect(registered.errors).toBeUndefined();
    const { component, eventIds } = registered.data!.registerComponent;
    expect(eventIds).toHaveLength(1);

    const seen = await eventually(async () => {
      const result = await stack.query<{ component: { insights: { eventCount: number } | null } }>(
        COMPONENT_WITH_INSIGHTS,
        { id: component.id },
      );
      return result.data?.component?.insights ? result : undefined;
    });
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.component).toEqual({
      id: component.id,
      name: 'PrimaryButton',
      type: 'ATOM',
      insights: {
        eventCount: 1,
        lastEventType: 'component.registered',
        registeredAt: expect.any(String),
      },
      workflowRuns: [],
    });
  });

  it('should resolve dependencies and refuse unknown ones with BAD_USER_INPUT naming the field', async () => {
    const base = await stack.query<{ registerComponent: { component: { id: string } } }>(REGISTER, {
      input: { name: 'Icon', type: 'ATOM', version: '2.1.0' },
    });
    const baseId = base.data!.registerComponent.component.id;
    const card = await stack.query<{
      registerComponent: { component: { dependencies: { id: string; name: string }[] } };
    }>(REGISTER, {
      input: { name: 'Card', type: 'MOLECULE', version: '0.1.0', dependencies: [baseId] },
    });
    expect(card.data?.registerComponent.component.dependencies).toEqual([
      { id: baseId, name: 'Icon' },
    ]);

    const bad = await stack.query(REGISTER, {
      input: { name: 'Broken', type: 'ATOM', version: '1.0.0', dependencies: ['no-such-id'] },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.dependencies',
    });
  });

  it('should refuse a version that is not semver and a duplicate name', async () => {
    const notSemver = await stack.query(REGISTER, {
      input: { name: 'Badge', type: 'ATOM', version: '1.0' },
    });
    expect(notSemver.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.version',
    });

    await stack.query(REGISTER, { input: { name: 'Avatar', type: 'ATOM', version: '1.0.0' } });
    const duplicate = await stack.query(REGISTER, {
      input: { name: 'Avatar', type: 'ATOM', version: '1.0.1' },
    });
    expect(duplicate.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});
