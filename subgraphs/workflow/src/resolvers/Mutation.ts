import { badUserInput, conflict } from '../../../../lib/graphql';
import type { WorkflowContext } from '../context';
import { parseDefinitionText } from '../definitions/parseDefinition';
import { validateDefinition } from '../definitions/validateDefinition';
import { DefinitionError } from '../errors';
import type { StartRunArgs } from '../services/createRunCommands';

const DUPLICATE_KEY = 11000;

/** Root mutation resolvers. */
export const Mutation = {
  defineWorkflow: async (_: unknown, args: { definition: string }, ctx: WorkflowContext) => {
    let spec;
    try {
      spec = validateDefinition(parseDefinitionText(args.definition), ctx.actions);
    } catch (error) {
      if (error instanceof DefinitionError)
        throw badUserInput(`definition${error.path}`, error.detail);
      throw error;
    }
    try {
      const doc = await ctx.definitions.create({
        _id: `${spec.id}@${spec.version}`,
        definitionId: spec.id,
        version: spec.version,
        name: spec.name,
        spec: spec as unknown as Record<string, unknown>,
      });
      return doc.toObject();
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY)
        throw conflict(
          `${spec.id}@${spec.version} already exists; definitions are immutable, publish a new version`,
          {
            field: 'definition/version',
          },
        );
      throw error;
    }
  },
  startRun: (_: unknown, args: { input: StartRunArgs }, ctx: WorkflowContext) =>
    ctx.commands.startRun(args.input),
  cancelRun: (
    _: unknown,
    args: { runId: string; reason?: string | null; compensate?: boolean | null },
    ctx: WorkflowContext,
  ) => ctx.commands.cancelRun(args.runId, args.reason, args.compensate ?? false),
  retryRun: (_: unknown, args: { runId: string }, ctx: WorkflowContext) =>
    ctx.commands.retryRun(args.runId),
  approveTask: (
    _: unknown,
    args: { runId: string; stepId: string; by?: string | null; comment?: string | null },
    ctx: WorkflowContext,
  ) => ctx.commands.decideTask(args.runId, args.stepId, true, args.by, args.comment),
  rejectTask: (
    _: unknown,
    args: { runId: string; stepId: string; by?: string | null; comment?: string | null },
    ctx: WorkflowContext,
  ) => ctx.commands.decideTask(args.runId, args.stepId, false, args.by, args.comment),
  signalRun: (
    _: unknown,
    args: { runId: string; name: string; payload?: unknown },
    ctx: WorkflowContext,
  ) => ctx.commands.signalRun(args.runId, args.name, args.payload),
};
