import { useEffect, useMemo } from 'preact/hooks';
import { createBoardServices } from '../state/createBoardServices';
import { hrefOf, route, type View } from '../state/route';
import { token } from '../state/token';
import { AnalyticsView } from './AnalyticsView';
import { ApprovalsView } from './ApprovalsView';
import { ConnectionStatus } from './ConnectionStatus';
import { OperationsView } from './OperationsView';
import { RunDetail } from './RunDetail';
import { RunsTable } from './RunsTable';
import { StartRunForm } from './StartRunForm';
import { TokenField } from './TokenField';

const NAV: { view: View; label: string }[] = [
  { view: 'runs', label: 'Runs' },
  { view: 'approvals', label: 'Approvals' },
  { view: 'operations', label: 'Operations' },
  { view: 'analytics', label: 'Analytics' },
];

/** The board: header (token, connection), navigation, and the view the URL hash names. */
export function App() {
  // A new token means a new socket (its connection_init carries the token) and fresh feeds.
  const currentToken = token.value;
  const services = useMemo(() => createBoardServices(), [currentToken]);
  useEffect(() => () => services.dispose(), [services]);
  const { view, runId } = route.value;

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <h1>Pipeline board</h1>
        <nav aria-label="Views">
          <ul>
            {NAV.map((item) => (
              <li key={item.view}>
                <a
                  href={hrefOf({ view: item.view })}
                  aria-current={view === item.view ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectionStatus status={services.live.status} />
        <TokenField />
      </header>
      <main id="main" tabIndex={-1}>
        {services.runsError.value && (
          <p role="alert" class="error">
            {services.runsError.value}
          </p>
        )}
        {view === 'runs' && (
          <div class={runId ? 'runs-layout with-detail' : 'runs-layout'}>
            <div class="runs-column">
              <StartRunForm runs={services.runs} />
              <section aria-labelledby="runs-title">
                <h2 id="runs-title">Runs</h2>
                <RunsTable runs={services.runs} selectedId={runId} />
              </section>
            </div>
            {runId && <RunDetail key={runId} services={services} runId={runId} />}
          </div>
        )}
        {view === 'approvals' && <ApprovalsView services={services} />}
        {view === 'operations' && <OperationsView />}
        {view === 'analytics' && <AnalyticsView />}
      </main>
    </>
  );
}
