import { getOperationAST, parse, print } from 'graphql';
import { EventQueryError, toEventQuery } from '../../../gateway/src/subscriptions/toEventQuery';

const rewrite = (source: string) => {
  const document = parse(source);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  return toEventQuery(operation, document, 'runProgressEvent');
};

describe('toEventQuery', () => {
  it('should turn the subscription root field into the event query field under the same response key', () => {
    const { document, responseKey } = rewrite(
      'subscription S($runId: ID!, $after: String) { runProgress(runId: $runId, after: $after) { sequence } }',
    );
    expect(responseKey).toBe('runProgress');
    expect(print(document)).toBe(
      print(
        parse(
          'query S($__eventId: ID!) { runProgress: runProgressEvent(id: $__eventId) { sequence } }',
        ),
      ),
    );
  });

  it('should keep aliases, used variables and the fragments the selection needs', () => {
    const { document, responseKey } = rewrite(`
      subscription ($runId: ID!, $withRun: Boolean!) {
        p: runProgress(runId: $runId) { ...E }
      }
      fragment E on RunProgressEvent { sequence run @include(if: $withRun) { ...R } }
      fragment R on WorkflowRun { id }
    `);
    expect(responseKey).toBe('p');
    const printed = print(document);
    expect(printed).toContain('query ($withRun: Boolean!, $__eventId: ID!)');
    expect(printed).toContain('p: runProgressEvent(id: $__eventId)');
    expect(printed).toContain('fragment E on RunProgressEvent');
    expect(printed).toContain('fragment R on WorkflowRun');
    expect(printed).not.toContain('$runId');
  });

  it('should refuse a subscription whose root is not a single field', () => {
    expect(() =>
      rewrite('subscription { ... on Subscription { runProgress(runId: "1") { id } } }'),
    ).toThrow(EventQueryError);
  });

  it('should add hidden fields to the root selection when asked', () => {
    const document = parse('subscription { runProgress(runId: "r1") { kind } }');
    const operation = getOperationAST(document);
    if (!operation) throw new Error('no operation');
    const query = toEventQuery(operation, document, 'runProgressSnapshot', 'runId', {
      __feedSequence: 'sequence',
    });
    expect(print(query.document)).toBe(
      print(
        parse(
          'query ($__eventId: ID!) { runProgress: runProgressSnapshot(runId: $__eventId) { kind __feedSequence: sequence } }',
        ),
      ),
    );
  });

  it('should keep the client arguments and variables when no id argument is given', () => {
    const document = parse('subscription S($f: RunFilter) { runsChanged(filter: $f) { id } }');
    const operation = getOperationAST(document);
    if (!operation) throw new Error('no operation');
    const query = toEventQuery(operation, document, 'runsChangedSnapshot', null);
    expect(print(query.document)).toBe(
      print(
        parse('query S($f: RunFilter) { runsChanged: runsChangedSnapshot(filter: $f) { id } }'),
      ),
    );
  });
});
