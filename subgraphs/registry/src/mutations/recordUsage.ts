import { badUserInput } from '../../../../lib/graphql';
import { commitComponentChange } from '../domain/commitComponentChange';
import type { RegistryContext } from '../context';

const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** Records that a project used a component: counters and `component.used` in one update. */
export async function recordUsage(
  _: unknown,
  args: { componentId: string; projectId: string },
  ctx: RegistryContext,
) {
  if (!PROJECT_ID.test(args.projectId)) {
    throw badUserInput('projectId', 'expected 1-100 letters, digits, ".", "_", ":" or "-"');
  }
  const { doc, events } = await commitComponentChange(ctx, args.componentId, () => ({
    set: { 'usage.lastUsedAt': new Date() },
    inc: { 'usage.count': 1 },
    addToSet: { 'usage.projects': args.projectId },
    events: [
      {
        type: 'component.used',
        data: { componentId: args.componentId, usedBy: args.projectId, projectId: args.projectId },
      },
    ],
  }));
  return { component: doc, usage: doc.usage, eventIds: events.map((event) => event.id) };
}
