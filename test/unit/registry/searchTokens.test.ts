import {
  buildSearchTokens,
  rankByTokens,
  tokenize,
} from '../../../subgraphs/registry/src/domain/searchTokens';

describe('tokenize', () => {
  it('should split camelCase, punctuation and fold accents to lowercase tokens', () => {
    expect(tokenize('PrimaryButton')).toEqual(['primarybutton', 'primary', 'button']);
    expect(tokenize('Café-menu, HTMLParser')).toEqual(
      expect.arrayContaining(['cafe', 'menu', 'htmlparser', 'html', 'parser']),
    );
    expect(tokenize('  ')).toEqual([]);
    expect(tokenize(undefined)).toEqual([]);
  });
});

describe('buildSearchTokens', () => {
  it('should index name-token prefixes of at least three letters, tags and description words', () => {
    const tokens = buildSearchTokens({
      name: 'IconButton',
      tags: ['form'],
      description: 'Shows an icon',
    });
    expect(tokens).toEqual(
      expect.arrayContaining(['ico', 'icon', 'but', 'butt', 'button', 'form', 'shows', 'an']),
    );
    expect(tokens).not.toContain('bu');
  });
});

describe('rankByTokens', () => {
  const items = [
    { name: 'SearchField', tags: ['form'], description: 'has a button' },
    { name: 'PrimaryButton', tags: [], description: null },
    { name: 'Card', tags: ['button'], description: null },
    { name: 'Unrelated', tags: [], description: 'nothing here' },
  ];

  it('should rank name matches above tag matches above description matches and drop misses', () => {
    const ranked = rankByTokens('button', items).map((hit) => hit.item.name);
    expect(ranked).toEqual(['PrimaryButton', 'Card', 'SearchField']);
  });

  it('should add up several matching words and reward an exact name', () => {
    const [best, second] = rankByTokens('card', [
      { name: 'Card', tags: [], description: null },
      { name: 'CardList', tags: [], description: null },
    ]);
    expect(best!.item.name).toBe('Card');
    expect(best!.score).toBeGreaterThan(second!.score);
    const [hit] = rankByTokens('search form', items);
    expect(hit!.matched).toEqual(['search', 'form']);
  });
});
