import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EventValidationError, UnknownEventTypeError } from './errors';

/** File name pattern of a data contract: `<type>.v<version>.schema.json`. */
export const CONTRACT_FILE = /^(?<type>[a-z][a-z0-9.]*[a-z0-9])\.v(?<version>\d+)\.schema\.json$/;
const ENVELOPE = 'envelope';

function findSchemaDir(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return join(dir, 'schema', 'events');
}

/** Where the JSON Schemas live (`schema/events` at the repository root). */
export const EVENT_SCHEMA_DIR = findSchemaDir(__dirname);

/** A loaded contract file. */
export interface ContractFile {
  type: string;
  version: number;
  file: string;
  schema: Record<string, unknown>;
}

/** Reads every `<type>.v<n>.schema.json` of a folder (the envelope excluded). */
export function readContractFiles(dir: string = EVENT_SCHEMA_DIR): ContractFile[] {
  return readdirSync(dir)
    .map((file) => ({ file, match: CONTRACT_FILE.exec(file) }))
    .filter(({ match }) => match?.groups && match.groups.type !== ENVELOPE)
    .map(({ file, match }) => ({
      type: match!.groups!.type!,
      version: Number(match!.groups!.version),
      file,
      schema: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>,
    }));
}

/** Validates events against the envelope and their type's data contract. */
export interface EventContracts {
  /** Event types that have a contract. */
  readonly types: ReadonlySet<string>;
  has(type: string, version?: number): boolean;
  /** Throws {@link UnknownEventTypeError} or {@link EventValidationError}; returns the event typed. */
  validate(event: Record<string, unknown>): void;
}

/** The contract version an event claims through its `dataschema` (`…/v<n>.json`), else 1. */
export function contractVersion(event: Record<string, unknown>): number {
  const match =
    typeof event.dataschema === 'string' ? /\/v(\d+)\.json$/.exec(event.dataschema) : null;
  return match ? Number(match[1]) : 1;
}

/**
 * Reads every schema of `dir` and compiles each on its first use, once; validation afterwards is
 * a function call. Lazily: compiling them all (two Ajv instances, every contract) took ~0.1 s of
 * every role's start-up, the gateway's included, which validates none of them. Invalid schemas
 * are caught before that by `npm run events:check` and the contract tests.
 */
export function createEventContracts(dir: string = EVENT_SCHEMA_DIR): EventContracts {
  // Every event is checked by validators that stop at the first error (the hot path of
  // consumers); a refused one is checked again with all errors, to say everything that is wrong.
  let ajv: { fast: Ajv; full: Ajv } | undefined;
  const instances = () => {
    if (ajv) return ajv;
    ajv = {
      fast: new Ajv({ allErrors: false, strict: false }),
      full: new Ajv({ allErrors: true, strict: false }),
    };
    // 'fast' formats: regex checks instead of full parsing on every event.
    for (const instance of [ajv.fast, ajv.full]) addFormats(instance, { mode: 'fast' });
    return ajv;
  };
  const envelopeSchema = JSON.parse(
    readFileSync(join(dir, `${ENVELOPE}.v1.schema.json`), 'utf8'),
  ) as object;
  let envelope: ValidateFunction | undefined;
  const schemas = new Map<string, object>();
  const compiled = new Map<string, ValidateFunction>();
  for (const contract of readContractFiles(dir)) {
    schemas.set(`${contract.type}@${contract.version}`, contract.schema);
  }
  const validatorOf = (key: string) => {
    let validate = compiled.get(key);
    if (!validate) {
      validate = instances().fast.compile(schemas.get(key)!);
      compiled.set(key, validate);
    }
    return validate;
  };
  const types = new Set([...schemas.keys()].map((key) => key.split('@')[0]!));
  const describe = (schema: object, value: unknown, what: string) => {
    const { full } = instances();
    const validate = full.compile(schema);
    validate(value);
    return `${what}: ${full.errorsText(validate.errors, { dataVar: what })}`;
  };
  return {
    types,
    has: (type, version = 1) => schemas.has(`${type}@${version}`),
    validate(event) {
      envelope ??= instances().fast.compile(envelopeSchema);
      if (!envelope(event)) {
        throw new EventValidationError(describe(envelopeSchema, event, 'event'));
      }
      const type = event.type as string;
      const version = contractVersion(event);
      const key = `${type}@${version}`;
      if (!schemas.has(key)) throw new UnknownEventTypeError(type, version);
      if (!validatorOf(key)(event.data)) {
        throw new EventValidationError(describe(schemas.get(key)!, event.data, `${type} data`));
      }
    },
  };
}

let shared: EventContracts | undefined;

/** The platform's contracts, compiled once per process on first use. */
export function platformContracts(): EventContracts {
  shared ??= createEventContracts();
  return shared;
}
