import { decodeCursor, encodeCursor } from '../../../subgraphs/registry/src/domain/cursor';

describe('cursor', () => {
  it('should round-trip a position', () => {
    expect(decodeCursor(encodeCursor({ value: 1700000000000, id: 'x' }))).toEqual({
      value: 1700000000000,
      id: 'x',
    });
    expect(decodeCursor(encodeCursor({ value: 'Card', id: 'y' }))).toEqual({
      value: 'Card',
      id: 'y',
    });
  });

  it('should refuse anything else as BAD_USER_INPUT on the given field', () => {
    for (const bad of ['garbage', Buffer.from('[1]').toString('base64url'), '']) {
      expect(() => decodeCursor(bad, 'after')).toThrow(
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }),
        }),
      );
    }
  });
});
