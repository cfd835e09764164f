import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/** Walks up from this file to the folder holding package.json (works from sources and from dist/). */
function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

/** Root of the repository, from which `schema/` is read. */
export const REPO_ROOT = findRepoRoot(__dirname);

/** Reads and parses a subgraph's SDL from `schema/<name>.graphql`, the single published copy. */
export function loadSubgraphSdl(name: string): DocumentNode {
  return parse(readFileSync(join(REPO_ROOT, 'schema', `${name}.graphql`), 'utf8'));
}
