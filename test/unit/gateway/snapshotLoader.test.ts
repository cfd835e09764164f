import { parse, type ExecutionResult } from 'graphql';
import {
  createSnapshotLoader,
  SnapshotLoadError,
} from '../../../gateway/src/subscriptions/snapshotLoader';

const load = (result: ExecutionResult) =>
  createSnapshotLoader({
    document: parse('{ __typename }'),
    variables: {},
    stream: 'r1',
    responseKey: 'p',
    terminalStatuses: ['SUCCEEDED'],
    execute: async () => result,
  })();

describe('createSnapshotLoader', () => {
  it('should read the position from the hidden fields and hide them from the client', async () => {
    const snapshot = await load({
      data: {
        p: { kind: 'SNAPSHOT', __feedSequence: 4, __feedCursor: 'c4', __feedStatus: 'RUNNING' },
      },
    });
    expect(snapshot).toEqual({
      result: { data: { p: { kind: 'SNAPSHOT' } } },
      stream: 'r1',
      sequence: 4,
      cursor: 'c4',
      terminal: false,
    });
  });

  it('should report a terminal status', async () => {
    const snapshot = await load({
      data: { p: { __feedSequence: 9, __feedCursor: 'c9', __feedStatus: 'SUCCEEDED' } },
    });
    expect(snapshot?.terminal).toBe(true);
  });

  it('should resolve to undefined for a missing stream and throw on a failed query', async () => {
    await expect(load({ data: { p: null } })).resolves.toBeUndefined();
    await expect(load({ errors: [{ message: 'boom' } as never] })).rejects.toThrow(
      SnapshotLoadError,
    );
  });
});
