import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EVENT_SCHEMA_DIR, readContractFiles } from '../../../lib/events';
import { checkAsyncapi } from '../../../scripts/events/checkAsyncapi';

const root = join(EVENT_SCHEMA_DIR, '..');
const load = () => parse(readFileSync(join(root, 'asyncapi.yaml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('checkAsyncapi', () => {
  it('should find the committed asyncapi.yaml in step with schema/events', () => {
    expect(checkAsyncapi(load(), readContractFiles(), root)).toEqual([]);
  });

  it('should report a contract without a message', () => {
    const doc = load();
    delete doc.components.messages.styleChanged;
    delete doc.channels.intelligenceEvents.messages.styleChanged;
    expect(checkAsyncapi(doc, readContractFiles(), root)).toContain(
      'schema/events/style.changed.v1.schema.json has no message in asyncapi.yaml',
    );
  });

  it('should report a message whose type disagrees with its schema file', () => {
    const doc = load();
    doc.components.messages.componentUsed.payload.allOf[1].properties.type.const = 'component.use';
    expect(checkAsyncapi(doc, readContractFiles(), root).join('\n')).toMatch(
      /componentUsed: name .* must equal component.used/,
    );
  });

  it('should report a dangling reference and a topic without partitions', () => {
    const doc = load();
    doc.channels.registryEvents.messages.componentDeleted.$ref = '#/components/messages/nope';
    delete doc.channels.workflowDeadLetters.bindings.kafka.partitions;
    const problems = checkAsyncapi(doc, readContractFiles(), root);
    expect(problems).toContain('dangling reference #/components/messages/nope');
    expect(problems).toContain('workflow.events.dlq: kafka binding needs partitions');
  });
});
