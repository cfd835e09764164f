/**
 * Seeding of the registry: components through the gateway (`registerComponent`, measured) or in
 * bulk through the registry's own mongoose model (with the read model the projector would have
 * built from their `component.registered` events); projects through `recordComponentUsage`.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { createEvent, type CloudEvent } from '../../lib/events';
import { buildSearchTokens } from '../../subgraphs/registry/src/domain/searchTokens';
import { validateRegistration } from '../../subgraphs/registry/src/domain/validateRegistration';
import {
  createComponentModel,
  type ComponentType,
} from '../../subgraphs/registry/src/models/Component';
import { graphql, runLoops, type Figure } from './measure';

/** Ids of the registered components in registration order. */
export type ComponentIds = string[];

/** Small seeded PRNG (mulberry32): the same data set on every run. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: T[]) => items[Math.floor(next() * items.length)]! };
}
export type Random = ReturnType<typeof createRandom>;

// Atomic design: many atoms, fewer pages. Atoms have no dependencies.
const TYPE_MIX: ComponentType[] = [
  ...Array<ComponentType>(8).fill('ATOM'),
  ...Array<ComponentType>(6).fill('MOLECULE'),
  ...Array<ComponentType>(4).fill('ORGANISM'),
  'TEMPLATE',
  'PAGE',
];

/** The registration input of component `index`: 1-3 dependencies on earlier components. */
export function componentInput(index: number, earlier: ComponentIds, random: Random) {
  const type = TYPE_MIX[index % TYPE_MIX.length]!;
  const count = type === 'ATOM' || earlier.length === 0 ? 0 : 1 + Math.floor(random.next() * 3);
  const dependencies = [...new Set(Array.from({ length: count }, () => random.pick(earlier)))];
  return {
    name: `Comp${index}`,
    type,
    version: '1.0.0',
    description: `Component ${index}: a ${type.toLowerCase()} of the bench design system`,
    tags: ['ui', `group-${index % 50}`],
    props: { type: 'object', properties: { label: { type: 'string' } } },
    dependencies,
  };
}

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      component {
        id
      }
    }
  }
`;

/**
 * Registers components `from`..`from + count - 1` through the gateway with `concurrency` clients;
 * each depends on components already registered. Appends the new ids to `ids`.
 */
export async function registerThroughGateway(
  url: string,
  ids: ComponentIds,
  { from, count, concurrency }: { from: number; count: number; concurrency: number },
  random: Random,
): Promise<Figure> {
  let next = from;
  return runLoops({
    concurrency,
    seconds: 600,
    maxOps: count,
    op: async () => {
      const input = componentInput(next++, ids, random);
      const data = await graphql<{ registerComponent: { component: { id: string } } }>(
        url,
        REGISTER,
        { input },
      );
      ids.push(data.registerComponent.component.id);
    },
  });
}

/** Options of {@link bulkInsertComponents}. */
export interface BulkOptions {
  /** The registry database (`<prefix>registry`), opened by the bench. */
  registry: Connection;
  from: number;
  count: number;
  /** createdAt of the first document; the others follow 1 ms apart, like a steady registration. */
  firstCreatedAt: number;
  /** Writes what the projector makes of the components' `component.registered` events. */
  applyToReadModel: (events: CloudEvent[]) => Promise<void>;
}

/**
 * Inserts components as registerComponent writes them once the relay published their event
 * (`pendingEvents: []`, `outboxPending: false`, `eventSequence: 1`), built with the registry's
 * own model and helpers, and hands their `component.registered` events (as registerComponent
 * creates them) to `applyToReadModel`. The events are not published: the intelligence projector
 * needs minutes for thousands of them on a slow server, which is not what this seeding is for.
 */
export async function bulkInsertComponents(
  ids: ComponentIds,
  { registry, from, count, firstCreatedAt, applyToReadModel }: BulkOptions,
  random: Random,
): Promise<void> {
  const Component = createComponentModel(registry);
  const correlationId = randomUUID();
  for (let start = from; start < from + count; start += 500) {
    const docs: Record<string, unknown>[] = [];
    const events: CloudEvent[] = [];
    for (let index = start; index < Math.min(start + 500, from + count); index++) {
      const raw = componentInput(index, ids, random);
      const input = validateRegistration(raw);
      const id = randomUUID();
      const at = new Date(firstCreatedAt + (index - from));
      // `new Model()` applies the schema's defaults and casts exactly as `create` does.
      const doc = new Component({
        _id: id,
        ...input,
        type: raw.type,
        searchTokens: buildSearchTokens(input),
        revision: 1,
        pendingEvents: [],
        outboxPending: false,
        eventSequence: 1,
      }).toObject();
      docs.push({ ...doc, createdAt: at, updatedAt: at });
      const event = createEvent({
        type: 'component.registered',
        source: '/subgraphs/registry',
        subject: id,
        sequence: 1,
        correlationId,
        data: {
          id,
          name: input.name,
          type: raw.type,
          version: input.version,
          description: input.description,
          tags: input.tags,
          dependencies: input.dependencies,
        },
      });
      // Created with the component, as registerComponent does.
      events.push({ ...event, time: at.toISOString() });
      ids.push(id);
    }
    await Component.collection.insertMany(docs);
    await applyToReadModel(events);
  }
}

const RECORD_USAGE = /* GraphQL */ `
  mutation Use($componentId: ID!, $projectId: ID!) {
    recordComponentUsage(componentId: $componentId, projectId: $projectId) {
      eventIds
    }
  }
`;

/**
 * Creates `projects` projects the way the platform does: `recordComponentUsage` through the
 * gateway emits `component.used`, which the projector turns into project contexts.
 */
export async function seedProjects(
  url: string,
  ids: ComponentIds,
  {
    projects,
    perProject,
    concurrency,
  }: { projects: number; perProject: number; concurrency: number },
  random: Random,
): Promise<Figure> {
  let next = 0;
  return runLoops({
    concurrency,
    seconds: 600,
    maxOps: projects * perProject,
    op: async () => {
      const n = next++;
      await graphql(url, RECORD_USAGE, {
        componentId: random.pick(ids),
        projectId: `project-${n % projects}`,
      });
    },
  });
}
