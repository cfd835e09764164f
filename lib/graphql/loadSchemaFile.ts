import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/** Root of the repository, from which `schema/` is read. */
export const REPO_ROOT = join(__dirname, '..', '..');

/** Reads and parses a subgraph's SDL from `schema/<name>.graphql`, the single published copy. */
export function loadSubgraphSdl(name: string): DocumentNode {
  return parse(readFileSync(join(REPO_ROOT, 'schema', `${name}.graphql`), 'utf8'));
}
