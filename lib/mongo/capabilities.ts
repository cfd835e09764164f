import { randomUUID } from 'node:crypto';
import type mongoose from 'mongoose';

/**
 * What the connected MongoDB wire server does correctly, probed once per connection at start, so
 * that a code path relies on a feature only where the server has it (docs/mongodb.md lists the
 * results per server). Real MongoDB and the embedded default pass every probe.
 */
export interface MongoCapabilities {
  /** `$pull` with a condition (`{ $pull: { list: { id: { $in: [...] } } } }`) removes the matches (FerretDB 1.x: no-op). */
  pullWithCondition: boolean;
}

const PROBE_COLLECTION = 'capability_probes';
const probed = new WeakMap<mongoose.Connection, Promise<MongoCapabilities>>();

async function probe(connection: mongoose.Connection): Promise<MongoCapabilities> {
  const collection = connection.collection<{ _id: string; list: { id: string }[] }>(
    PROBE_COLLECTION,
  );
  const _id = randomUUID();
  try {
    await collection.insertOne({ _id, list: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    await collection.updateOne({ _id }, { $pull: { list: { id: { $in: ['a', 'c'] } } } });
    const after = await collection.findOne({ _id });
    return { pullWithCondition: after?.list.length === 1 && after.list[0]?.id === 'b' };
  } finally {
    await collection.deleteOne({ _id }).catch(() => undefined);
  }
}

/** The capabilities of the server behind `connection` (probed on first call, then cached). */
export function mongoCapabilities(connection: mongoose.Connection): Promise<MongoCapabilities> {
  let capabilities = probed.get(connection);
  if (!capabilities) {
    capabilities = probe(connection);
    // A failed probe (server unreachable) is retried on the next call instead of being cached.
    capabilities.catch(() => probed.delete(connection));
    probed.set(connection, capabilities);
  }
  return capabilities;
}

/** What the server says it is (`buildInfo`): FerretDB names itself with a `ferretdbVersion` key. */
export async function serverIdentity(
  connection: mongoose.Connection,
): Promise<{ version: string; ferretdb: boolean }> {
  const info = (await connection.db!.admin().buildInfo()) as {
    version?: string;
    ferretdbVersion?: string;
  };
  return info.ferretdbVersion
    ? { version: `FerretDB ${info.ferretdbVersion}`, ferretdb: true }
    : { version: `MongoDB ${info.version ?? 'unknown'}`, ferretdb: false };
}
