import { useState } from 'preact/hooks';
import { DEFINITIONS, START_RUN } from '../api/documents';
import { graphqlRequest } from '../api/graphqlRequest';
import type { RunSummary, WorkflowDefinition } from '../api/types';
import type { RunsStore } from '../state/createRunsStore';
import { COMPONENT_PIPELINE_ID } from '../state/pipelineStages';
import { navigate } from '../state/route';
import { useAsync } from './useAsync';

/** A starting input for the built-in pipeline, so a first run is one click away. */
const PIPELINE_SAMPLE = JSON.stringify(
  {
    blueprints: ['landing'],
    theme: 'light',
    pages: ['home'],
    components: [{ name: 'HeroBanner', type: 'ORGANISM', version: '1.0.0' }],
    componentIds: [],
  },
  null,
  2,
);

const keyOf = (definition: WorkflowDefinition) => `${definition.id}@${definition.version}`;

/** Starts a run of a stored definition version with a JSON input, then opens its detail. */
export function StartRunForm({ runs }: { runs: RunsStore }) {
  const definitions = useAsync(
    () =>
      graphqlRequest<{ workflowDefinitions: WorkflowDefinition[] }>(DEFINITIONS).then(
        (data) => data.workflowDefinitions,
      ),
    [],
  );
  const [selected, setSelected] = useState<string>('');
  const [input, setInput] = useState(PIPELINE_SAMPLE);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = definitions.data ?? [];
  const chosen =
    list.find((definition) => keyOf(definition) === selected) ??
    list.find((definition) => definition.id === COMPONENT_PIPELINE_ID) ??
    list[0];

  async function start(event: Event): Promise<void> {
    event.preventDefault();
    if (!chosen) return;
    let parsed: unknown;
    try {
      parsed = input.trim() ? JSON.parse(input) : null;
    } catch (parseError) {
      setError(`input is not JSON: ${(parseError as Error).message}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const data = await graphqlRequest<{ startRun: RunSummary }>(START_RUN, {
        input: {
          definitionId: chosen.id,
          version: chosen.version,
          input: parsed,
          // A double click must not start two runs.
          idempotencyKey: crypto.randomUUID(),
        },
      });
      runs.upsert(data.startRun);
      navigate({ view: 'runs', runId: data.startRun.id });
    } catch (startError) {
      setError((startError as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="start-run"
      onSubmit={(event) => void start(event)}
      aria-labelledby="start-run-title"
    >
      <h2 id="start-run-title">Start a run</h2>
      <div class="field">
        <label for="start-definition">Definition</label>
        <select
          id="start-definition"
          value={chosen ? keyOf(chosen) : ''}
          onChange={(event) => setSelected(event.currentTarget.value)}
          disabled={list.length === 0}
        >
          {list.map((definition) => (
            <option key={keyOf(definition)} value={keyOf(definition)}>
              {definition.name} ({keyOf(definition)})
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="start-input">Input (JSON)</label>
        <textarea
          id="start-input"
          rows={5}
          spellcheck={false}
          value={input}
          onInput={(event) => setInput(event.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={!chosen || busy}>
        {busy ? 'Starting…' : 'Start run'}
      </button>
      {definitions.error && (
        <p role="alert" class="error">
          {definitions.error}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </form>
  );
}
