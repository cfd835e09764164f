import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ContractFile } from '../../lib/events';
import { DOMAIN_TOPICS } from '../../lib/kafka';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};

/** Follows a local `#/a/b` reference inside the document. */
function resolveLocal(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => obj(node)[part], doc);
}

/** Every `$ref` string anywhere under `node`. */
function refsUnder(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => refsUnder(item, found));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsUnder(value, found);
    }
  }
  return found;
}

/**
 * Lists every way the AsyncAPI document and the JSON Schemas diverge: a contract without a
 * message or the reverse, a message whose `type`/`dataschema` constants disagree with its schema
 * file, dangling references, a domain without its topic or dead-letter topic, a topic without
 * Kafka bindings or a message without a key binding. Empty means in step.
 */
export function checkAsyncapi(doc: Json, contracts: ContractFile[], schemaRoot: string): string[] {
  const problems: string[] = [];
  if (!String(doc.asyncapi ?? '').startsWith('3.')) {
    problems.push(`expected asyncapi 3.x, but got: ${String(doc.asyncapi)}`);
  }
  for (const ref of refsUnder(doc)) {
    if (ref.startsWith('#/')) {
      if (resolveLocal(doc, ref) === undefined) problems.push(`dangling reference ${ref}`);
    } else if (!existsSync(join(schemaRoot, ref))) {
      problems.push(`reference to a missing file ${ref}`);
    }
  }

  const messages = obj(obj(doc.components).messages);
  const channels = obj(doc.channels);
  const usedBy = new Map<string, string[]>();
  for (const [channelName, channel] of Object.entries(channels)) {
    for (const ref of Object.values(obj(obj(channel).messages))) {
      const target = String(obj(ref).$ref ?? '').replace('#/components/messages/', '');
      usedBy.set(target, [...(usedBy.get(target) ?? []), channelName]);
    }
  }

  const contractByFile = new Map(contracts.map((c) => [`./events/${c.file}`, c]));
  const covered = new Set<string>();
  for (const [id, message] of Object.entries(messages)) {
    if (id === 'deadLetter') continue;
    const m = obj(message);
    const parts = (obj(m.payload).allOf as unknown[] | undefined) ?? [m.payload];
    const props = parts.map((part) => obj(obj(part).properties)).find((p) => p.data) ?? {};
    const dataRef = String(obj(props.data).$ref ?? '');
    const contract = contractByFile.get(dataRef);
    if (!contract) {
      problems.push(
        `message ${id}: data must reference a schema/events contract, got "${dataRef}"`,
      );
      continue;
    }
    covered.add(contract.file);
    const type = obj(props.type).const;
    if (m.name !== contract.type || type !== contract.type) {
      problems.push(
        `message ${id}: name "${String(m.name)}" and type const "${String(type)}" must equal ${contract.type} (${contract.file})`,
      );
    }
    const dataschema = obj(props.dataschema).const;
    if (dataschema !== contract.schema.$id) {
      problems.push(`message ${id}: dataschema const must be ${String(contract.schema.$id)}`);
    }
    const channelsOfMessage = usedBy.get(id) ?? [];
    if (channelsOfMessage.length !== 1) {
      problems.push(
        `message ${id}: expected in exactly one channel, found in [${channelsOfMessage}]`,
      );
    }
    const traits = ((m.traits as unknown[]) ?? []).map((t) =>
      obj(resolveLocal(doc, String(obj(t).$ref ?? '')) ?? t),
    );
    const hasKey = [m, ...traits].some((part) => obj(obj(obj(part).bindings).kafka).key);
    if (!hasKey) problems.push(`message ${id}: no Kafka key binding (key = aggregate id)`);
  }
  for (const contract of contracts) {
    if (!covered.has(contract.file)) {
      problems.push(`schema/events/${contract.file} has no message in asyncapi.yaml`);
    }
  }

  for (const domain of DOMAIN_TOPICS) {
    for (const address of [`${domain}.events`, `${domain}.events.dlq`]) {
      const channel = Object.values(channels).find((c) => obj(c).address === address);
      if (!channel) {
        problems.push(`no channel for topic ${address}`);
        continue;
      }
      const kafka = obj(obj(obj(channel).bindings).kafka);
      if (!(Number(kafka.partitions) >= 1))
        problems.push(`${address}: kafka binding needs partitions`);
      if (!obj(kafka.topicConfiguration)['retention.ms']) {
        problems.push(`${address}: kafka binding needs topicConfiguration retention.ms`);
      }
    }
  }
  return problems;
}
