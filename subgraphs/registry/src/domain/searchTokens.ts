/** Shortest name-token prefix indexed, so `butt` finds `PrimaryButton`. */
const MIN_PREFIX = 3;
/** Tokens longer than this are cut: keeps the index small and junk input harmless. */
const MAX_TOKEN = 40;

/** Weight of a query token found in each field; name matches rank above tags above description. */
export const SEARCH_WEIGHTS = { nameExact: 5, namePrefix: 3, tag: 3, description: 1 } as const;

/**
 * Splits text into lowercase ASCII-folded tokens, also on camelCase boundaries
 * (`PrimaryButton` → `primary`, `button`, plus the whole word `primarybutton`).
 */
export function tokenize(text: string | null | undefined): string[] {
  if (!text) return [];
  const folded = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const tokens = new Set<string>();
  for (const word of folded.split(/[^A-Za-z0-9]+/)) {
    if (!word) continue;
    tokens.add(word.toLowerCase().slice(0, MAX_TOKEN));
    for (const part of word.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)) {
      if (part) tokens.add(part.toLowerCase().slice(0, MAX_TOKEN));
    }
  }
  return [...tokens];
}

/** What a component contributes to search. */
export interface Searchable {
  name: string;
  description?: string | null;
  tags: string[];
}

/** The `searchTokens` stored on a component: every token of every field plus name-token prefixes. */
export function buildSearchTokens(component: Searchable): string[] {
  const tokens = new Set<string>();
  for (const token of tokenize(component.name)) {
    for (let end = MIN_PREFIX; end <= token.length; end++) tokens.add(token.slice(0, end));
    tokens.add(token);
  }
  for (const tag of component.tags) for (const token of tokenize(tag)) tokens.add(token);
  for (const token of tokenize(component.description)) tokens.add(token);
  return [...tokens];
}

/** A ranked search result. */
export interface SearchHit<T> {
  item: T;
  score: number;
  matched: string[];
}

/**
 * Scores candidates (found by `searchTokens $in queryTokens`) by the best field each query token
 * matches, plus a bonus for an exact full-name match; ties break by name. Zero-score items are dropped.
 */
export function rankByTokens<T extends Searchable>(query: string, candidates: T[]): SearchHit<T>[] {
  const queryTokens = tokenize(query);
  const hits: SearchHit<T>[] = [];
  for (const item of candidates) {
    const nameTokens = tokenize(item.name);
    const tagTokens = new Set(item.tags.flatMap(tokenize));
    const descriptionTokens = new Set(tokenize(item.description));
    let score = 0;
    const matched: string[] = [];
    for (const token of queryTokens) {
      const weight = Math.max(
        nameTokens.includes(token) ? SEARCH_WEIGHTS.nameExact : 0,
        token.length >= MIN_PREFIX && nameTokens.some((name) => name.startsWith(token))
          ? SEARCH_WEIGHTS.namePrefix
          : 0,
        tagTokens.has(token) ? SEARCH_WEIGHTS.tag : 0,
        descriptionTokens.has(token) ? SEARCH_WEIGHTS.description : 0,
      );
      if (weight > 0) matched.push(token);
      score += weight;
    }
    if (score === 0) continue;
    if (item.name.toLowerCase() === query.trim().toLowerCase()) score += 10;
    hits.push({ item, score, matched });
  }
  return hits.sort((a, b) => b.score - a.score || a.item.name.localeCompare(b.item.name));
}
