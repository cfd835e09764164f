import { useState } from 'preact/hooks';
import { DEAD_LETTERS, OPERATIONS_STATUS, REDRIVE } from '../api/documents';
import { graphqlRequest } from '../api/graphqlRequest';
import type {
  CircuitBreaker,
  DeadLetter,
  EventDomain,
  GatewayBreaker,
  ConsumerGroupLag,
} from '../api/types';
import { BreakersTable } from './BreakersTable';
import { formatTime } from './format';
import { useAsync } from './useAsync';

/** Dead letters and lag change without an event the board could subscribe to: poll them. */
const REFRESH_MS = 3_000;

const DOMAINS: readonly EventDomain[] = ['REGISTRY', 'INTELLIGENCE', 'WORKFLOW', 'PIPELINE'];

type DeadLettersByDomain = Record<EventDomain, DeadLetter[]>;

/** Dead letters of one domain, with redrive of one key/type or of the whole domain. */
function DomainDeadLetters({
  domain,
  letters,
  onRedriven,
}: {
  domain: EventDomain;
  letters: DeadLetter[];
  onRedriven: () => void;
}) {
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  async function redrive(filter: { type?: string | null; key?: string | null }, label: string) {
    setBusy(true);
    setMessage(null);
    try {
      const data = await graphqlRequest<{ redriveDeadLetters: { redriven: number } }>(REDRIVE, {
        domain,
        ...filter,
      });
      setMessage({ text: `${label}: ${data.redriveDeadLetters.redriven} redriven`, error: false });
      onRedriven();
    } catch (error) {
      setMessage({ text: `${label}: ${(error as Error).message}`, error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="domain" aria-labelledby={`dlq-${domain}`} data-domain={domain}>
      <h3 id={`dlq-${domain}`}>
        {domain} <span class="count">{letters.length}</span>
      </h3>
      {letters.length > 0 && (
        <>
          <button type="button" disabled={busy} onClick={() => void redrive({}, `All ${domain}`)}>
            Redrive all {domain.toLowerCase()}
          </button>
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Event type</th>
                <th scope="col">Reason</th>
                <th scope="col">Group</th>
                <th scope="col">Failed</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {letters.map((letter) => (
                <tr
                  key={`${letter.partition}:${letter.offset}`}
                  data-dead-letter-key={letter.key ?? ''}
                >
                  <th scope="row">{letter.key ?? '–'}</th>
                  <td>{letter.eventType ?? '–'}</td>
                  <td>
                    <strong>{letter.errorCode ?? '–'}</strong> {letter.errorMessage ?? ''}
                  </td>
                  <td>{letter.consumerGroup ?? '–'}</td>
                  <td>{formatTime(letter.failedAt)}</td>
                  <td>
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`Redrive ${letter.eventType ?? 'event'} ${letter.key ?? ''}`}
                      onClick={() =>
                        void redrive(
                          { key: letter.key, type: letter.eventType },
                          `Key ${letter.key ?? '–'}`,
                        )
                      }
                    >
                      Redrive
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {message && (
        <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'muted'}>
          {message.text}
        </p>
      )}
    </section>
  );
}

/** Dead letters per domain, consumer lag (what the API exposes), circuit breakers. */
export function OperationsView() {
  const deadLetters = useAsync(
    () => graphqlRequest<DeadLettersByDomain>(DEAD_LETTERS),
    [],
    REFRESH_MS,
  );
  const status = useAsync(
    () =>
      graphqlRequest<{ circuitBreakers: CircuitBreaker[]; consumerLag: ConsumerGroupLag[] }>(
        OPERATIONS_STATUS,
      ),
    [],
    REFRESH_MS,
  );
  const gatewayBreakers = useAsync(
    async () => {
      const response = await fetch('/breakers');
      if (!response.ok) throw new Error(`/breakers answered ${response.status}`);
      return ((await response.json()) as { breakers: GatewayBreaker[] }).breakers;
    },
    [],
    REFRESH_MS,
  );
  const groups = status.data?.consumerLag;

  return (
    <div class="operations">
      <section aria-labelledby="dlq-title">
        <div class="section-head">
          <h2 id="dlq-title">Dead letters</h2>
          <button type="button" onClick={deadLetters.reload} disabled={deadLetters.loading}>
            Refresh
          </button>
        </div>
        {deadLetters.error && (
          <p role="alert" class="error">
            {deadLetters.error}
          </p>
        )}
        <div class="domains">
          {DOMAINS.map((domain) => (
            <DomainDeadLetters
              key={domain}
              domain={domain}
              letters={deadLetters.data?.[domain] ?? []}
              onRedriven={deadLetters.reload}
            />
          ))}
        </div>
      </section>
      <section aria-labelledby="lag-title">
        <h2 id="lag-title">Consumer lag</h2>
        {status.error && (
          <p role="alert" class="error">
            {status.error}
          </p>
        )}
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Consumer group</th>
              <th scope="col">Lag (events)</th>
              <th scope="col">State</th>
              <th scope="col">Members</th>
              <th scope="col">Behind on</th>
            </tr>
          </thead>
          <tbody>
            {groups === undefined && (
              <tr>
                <td colSpan={5}>…</td>
              </tr>
            )}
            {groups?.map((group) => (
              <tr key={group.groupId} data-testid="consumer-group">
                <th scope="row">{group.groupId}</th>
                <td>{group.lag}</td>
                <td>{group.state}</td>
                <td>{group.members}</td>
                <td>
                  {group.topics
                    .filter((topic) => topic.lag > 0)
                    .map((topic) => `${topic.topic} (${topic.lag})`)
                    .join(', ') || '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="breakers-title">
        <div class="section-head">
          <h2 id="breakers-title">Circuit breakers</h2>
          <button
            type="button"
            onClick={() => {
              status.reload();
              gatewayBreakers.reload();
            }}
          >
            Refresh
          </button>
        </div>
        {gatewayBreakers.error && (
          <p role="alert" class="error">
            {gatewayBreakers.error}
          </p>
        )}
        <BreakersTable
          title="Gateway → subgraphs (/breakers)"
          breakers={(gatewayBreakers.data ?? []).map(({ counts, ...rest }) => ({
            ...rest,
            ...counts,
          }))}
        />
        <BreakersTable
          title="Workflow outbound (circuitBreakers)"
          breakers={status.data?.circuitBreakers ?? []}
        />
      </section>
    </div>
  );
}
