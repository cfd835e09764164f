import { eventually } from '../../utils/graphqlClient';
import { startDomainStack, type DomainStack } from '../intelligence/startDomainStack';

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      component {
        id
      }
    }
  }
`;

/** Components with their dependencies, dependents, impact (intelligence) and insights. */
const WIDE = /* GraphQL */ `
  query ($first: Int!) {
    components(first: $first) {
      edges {
        node {
          id
          name
          dependencies {
            id
            name
            version
          }
          dependents {
            id
          }
          impact {
            transitiveDependentCount
            riskScore
            dependents {
              id
              name
            }
          }
          insights {
            eventCount
          }
        }
      }
    }
  }
`;

const BASES = 5;

describe('N+1 guard (gateway → registry + intelligence, MongoDB command monitoring)', () => {
  let stack: DomainStack;
  const baseIds: string[] = [];
  let registered = 0;

  /** Registers composites depending on two bases each: the graph depth stays the same as n grows. */
  const registerUpTo = async (n: number) => {
    for (; registered < n; registered++) {
      const isBase = registered < BASES;
      const result = await stack.query<{ registerComponent: { component: { id: string } } }>(
        REGISTER,
        {
          input: {
            name: `${isBase ? 'Base' : 'Composite'}${registered}`,
            type: isBase ? 'ATOM' : 'MOLECULE',
            version: '1.0.0',
            dependencies: isBase
              ? []
              : [baseIds[registered % BASES], baseIds[(registered + 1) % BASES]],
          },
        },
      );
      expect(result.errors).toBeUndefined();
      if (isBase) baseIds.push(result.data!.registerComponent.component.id);
    }
    await eventually(async () => {
      const status = await stack.query<{ syncStatus: { componentsKnown: number } }>(
        `{ syncStatus { componentsKnown } }`,
      );
      return status.data?.syncStatus.componentsKnown === n ? true : undefined;
    }, 60_000);
  };

  /** Runs the wide query and returns how many database commands it cost. */
  const commandsFor = async (first: number) => {
    stack.commands.reset();
    const result = await stack.query<{
      components: { edges: { node: { impact: { transitiveDependentCount: number } } }[] };
    }>(WIDE, { first });
    expect(result.errors).toBeUndefined();
    expect(result.data!.components.edges).toHaveLength(first);
    return { count: stack.commands.count, names: [...stack.commands.names], data: result.data! };
  };

  beforeAll(async () => {
    stack = await startDomainStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('should issue the same number of database commands for 10 and for 100 components', async () => {
    await registerUpTo(10);
    const ten = await commandsFor(10);
    await registerUpTo(100);
    const hundred = await commandsFor(100);

    // Every base is depended on by composites, so impact really traversed something.
    const maxDependents = Math.max(
      ...hundred.data.components.edges.map((e) => e.node.impact.transitiveDependentCount),
    );
    expect(maxDependents).toBeGreaterThanOrEqual(30);
    expect(hundred.count).toBe(ten.count);
    expect(hundred.count).toBeLessThanOrEqual(15);
  });
});
