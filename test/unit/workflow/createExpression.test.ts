import {
  createExpression,
  isTruthy,
} from '../../../subgraphs/workflow/src/expressions/createExpression';
import { resolveInput } from '../../../subgraphs/workflow/src/expressions/resolveInput';
import { WorkflowError } from '../../../subgraphs/workflow/src/errors';

const scope = { input: { score: 91 }, outputs: { review: { approved: true } } };

describe('createExpression', () => {
  it('should evaluate conditions over the input and earlier outputs', async () => {
    await expect(
      createExpression('input.score >= 80 and outputs.review.approved').evaluate(scope),
    ).resolves.toBe(true);
    await expect(createExpression('input.score < 50').evaluate(scope)).resolves.toBe(false);
  });

  it('should not reach JavaScript globals, the process or prototypes', async () => {
    for (const source of [
      '$process',
      'constructor',
      '__proto__',
      '$globalThis',
      'input.constructor.constructor',
    ]) {
      await expect(createExpression(source).evaluate(scope)).resolves.toBeUndefined();
    }
    await expect(createExpression('require("fs")').evaluate(scope)).rejects.toBeInstanceOf(
      WorkflowError,
    );
    await expect(createExpression('$eval("constructor")').evaluate(scope)).resolves.toBeUndefined();
  });

  it('should stop an endless recursion and an overly deep one', async () => {
    await expect(
      createExpression('($f := function($x){ $f($x) }; $f(1))').evaluate({}),
    ).rejects.toThrow(/timeout|Stack/i);
    await expect(
      createExpression('($f := function($n){ $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(100000))').evaluate(
        {},
      ),
    ).rejects.toThrow(WorkflowError);
  });

  it('should refuse a syntax error when compiled', () => {
    expect(() => createExpression('1 +')).toThrow(WorkflowError);
  });

  it('should treat empty sequences as false', () => {
    expect(isTruthy([])).toBe(false);
    expect(isTruthy([0])).toBe(true);
    expect(isTruthy(undefined)).toBe(false);
  });
});

describe('resolveInput', () => {
  it('should replace only =-prefixed strings, deeply', async () => {
    await expect(
      resolveInput(
        {
          a: '=input.score',
          b: 'plain',
          c: ['=outputs.review.approved', 1],
          d: { e: '=input.score * 2' },
        },
        scope,
      ),
    ).resolves.toEqual({ a: 91, b: 'plain', c: [true, 1], d: { e: 182 } });
  });
});
