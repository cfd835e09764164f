import { predictNext } from '../../../subgraphs/intelligence/src/domain/predictNext';

describe('predictNext', () => {
  it('should rank components that co-occur with the current ones by confidence', () => {
    const predictions = predictNext(
      new Set(['base']),
      [
        ['base', 'field'],
        ['base', 'field', 'button'],
        ['base', 'card'],
        ['other', 'unrelated'],
      ],
      5,
    );
    expect(predictions.map((p) => p.componentId)).toEqual(['field', 'card', 'button']);
    expect(predictions[0]).toMatchObject({ support: 2 });
    expect(predictions[0]!.confidence).toBeGreaterThan(predictions[1]!.confidence);
    expect(predictions.every((p) => p.confidence > 0 && p.confidence <= 1)).toBe(true);
  });

  it('should never suggest what is already used, nor anything without overlap', () => {
    expect(
      predictNext(
        new Set(['a', 'b']),
        [
          ['a', 'b'],
          ['c', 'd'],
        ],
        5,
      ),
    ).toEqual([]);
    expect(predictNext(new Set(), [['a', 'b']], 5)).toEqual([]);
  });

  it('should give a candidate present in every overlapping basket confidence 1 and honour the limit', () => {
    const predictions = predictNext(
      new Set(['a']),
      [
        ['a', 'x', 'y'],
        ['a', 'x'],
      ],
      1,
    );
    expect(predictions).toEqual([{ componentId: 'x', confidence: 1, support: 2 }]);
  });
});
