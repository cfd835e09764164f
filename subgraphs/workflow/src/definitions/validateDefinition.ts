import { CronExpressionParser } from 'cron-parser';
import type { WorkflowError } from '../errors';
import { DefinitionError } from '../errors';
import { createExpression } from '../expressions/createExpression';
import { assertDefinitionShape } from './definitionSchema';
import { END, type ActionCall, type WorkflowSpec } from './types';

/** What validation needs to know about the action registry. */
export interface ActionCatalog {
  has(name: string): boolean;
}

/** Compiles an expression or throws a DefinitionError at `path`. */
function checkExpression(path: string, source: string) {
  try {
    createExpression(source);
  } catch (error) {
    throw new DefinitionError(path, (error as WorkflowError).message);
  }
}

/** `=`-prefixed string values of an action input are expressions: they must compile. */
function checkInput(path: string, input: unknown) {
  if (typeof input === 'string' && input.startsWith('=')) checkExpression(path, input.slice(1));
  else if (Array.isArray(input)) input.forEach((item, i) => checkInput(`${path}/${i}`, item));
  else if (input && typeof input === 'object')
    for (const [key, value] of Object.entries(input)) checkInput(`${path}/${key}`, value);
}

function checkCall(path: string, call: ActionCall, actions: ActionCatalog) {
  if (!actions.has(call.action))
    throw new DefinitionError(`${path}/action`, `unknown action "${call.action}"`);
  checkInput(`${path}/input`, call.input);
}

/**
 * Validates a definition: structure against the published JSON Schema, then what a schema
 * cannot say (unique step ids, existing targets, known actions, compiling expressions, cron).
 * Throws a DefinitionError whose `path` points into the submitted definition.
 */
export function validateDefinition(value: unknown, actions: ActionCatalog): WorkflowSpec {
  assertDefinitionShape(value);
  const spec = value;
  const ids = new Map<string, string>();
  const claim = (id: string, path: string) => {
    const other = ids.get(id);
    if (other) throw new DefinitionError(path, `duplicate step id "${id}" (also at ${other})`);
    ids.set(id, path);
  };
  spec.steps.forEach((step, i) => {
    claim(step.id, `/steps/${i}/id`);
    if (step.type === 'parallel')
      step.branches.forEach((branch, b) => claim(branch.id, `/steps/${i}/branches/${b}/id`));
  });
  const stepIds = new Set(spec.steps.map((step) => step.id));
  const checkTarget = (path: string, target: string | undefined) => {
    if (target !== undefined && target !== END && !stepIds.has(target))
      throw new DefinitionError(path, `unknown step "${target}"`);
  };

  spec.steps.forEach((step, i) => {
    const at = `/steps/${i}`;
    switch (step.type) {
      case 'action':
        checkCall(at, step, actions);
        if (step.compensation) checkCall(`${at}/compensation`, step.compensation, actions);
        checkTarget(`${at}/next`, step.next);
        checkTarget(`${at}/onError`, step.onError);
        break;
      case 'parallel':
        step.branches.forEach((branch, b) => {
          checkCall(`${at}/branches/${b}`, branch, actions);
          if (branch.compensation)
            checkCall(`${at}/branches/${b}/compensation`, branch.compensation, actions);
        });
        checkTarget(`${at}/next`, step.next);
        checkTarget(`${at}/onError`, step.onError);
        break;
      case 'decision':
        step.branches.forEach((branch, b) => {
          checkExpression(`${at}/branches/${b}/when`, branch.when);
          checkTarget(`${at}/branches/${b}/next`, branch.next);
        });
        checkTarget(`${at}/default`, step.default);
        break;
      case 'approval':
        checkTarget(`${at}/next`, step.next);
        checkTarget(`${at}/onError`, step.onError);
        break;
    }
    if (step.type !== 'decision' && step.next === step.id)
      throw new DefinitionError(`${at}/next`, 'a step cannot be its own next step');
  });

  spec.schedules?.forEach((schedule, i) => {
    try {
      CronExpressionParser.parse(schedule.cron, { tz: 'UTC' });
    } catch (error) {
      throw new DefinitionError(
        `/schedules/${i}/cron`,
        `invalid cron: ${(error as Error).message}`,
      );
    }
  });
  return spec;
}
