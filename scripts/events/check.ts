/**
 * `npm run events:check`: fails (exit 1) when schema/asyncapi.yaml and schema/events diverge, or
 * when a contract does not compile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createEventContracts, EVENT_SCHEMA_DIR, readContractFiles } from '../../lib/events';
import { checkAsyncapi } from './checkAsyncapi';

const schemaRoot = join(EVENT_SCHEMA_DIR, '..');
const doc = parse(readFileSync(join(schemaRoot, 'asyncapi.yaml'), 'utf8')) as Record<
  string,
  unknown
>;
const contracts = readContractFiles();
createEventContracts(); // throws if a schema does not compile
const problems = checkAsyncapi(doc, contracts, schemaRoot);
if (problems.length > 0) {
  for (const problem of problems) console.error(`events:check: ${problem}`);
  process.exit(1);
}
console.log(`events:check: asyncapi.yaml and ${contracts.length} event contracts are in step`);
