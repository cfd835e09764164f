/**
 * Composes schema/<subgraph>.graphql into schema/supergraph.graphql with @apollo/composition.
 * `--check` fails (exit 1) when composition fails or the committed supergraph is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { REPO_ROOT } from '../../lib/graphql';
import { SUBGRAPHS } from './subgraphs';

const supergraphPath = join(REPO_ROOT, 'schema', 'supergraph.graphql');
const check = process.argv.includes('--check');

const result = composeServices(
  SUBGRAPHS.map(({ name, url }) => ({
    name,
    url,
    typeDefs: parse(readFileSync(join(REPO_ROOT, 'schema', `${name}.graphql`), 'utf8')),
  })),
);
if (result.errors) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}
for (const hint of result.hints ?? [])
  console.warn(`composition hint: ${hint.definition.code}: ${hint.message}`);

const composed = `${result.supergraphSdl.trimEnd()}\n`;
if (check) {
  let committed = '';
  try {
    committed = readFileSync(supergraphPath, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (committed !== composed) {
    console.error(
      'schema/supergraph.graphql is stale: run `npm run schema:compose` and commit the result.',
    );
    process.exit(1);
  }
  console.log('schema/supergraph.graphql is up to date.');
} else {
  writeFileSync(supergraphPath, composed);
  console.log(`wrote ${supergraphPath}`);
}
