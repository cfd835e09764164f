import { signal } from '@preact/signals';

/** The board's views, addressed by the URL hash so a view can be linked and reloaded. */
export type View = 'runs' | 'approvals' | 'operations' | 'analytics';

export interface Route {
  view: View;
  /** `#/runs/<runId>`: the run whose detail is open. */
  runId?: string;
}

const VIEWS: readonly View[] = ['runs', 'approvals', 'operations', 'analytics'];

/** `#/runs/abc` → { view: 'runs', runId: 'abc' }; anything unknown is the runs view. */
export function parseHash(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  const known = VIEWS.find((candidate) => candidate === view) ?? 'runs';
  return known === 'runs' && id ? { view: known, runId: decodeURIComponent(id) } : { view: known };
}

export function hrefOf(route: Route): string {
  return route.runId ? `#/runs/${encodeURIComponent(route.runId)}` : `#/${route.view}`;
}

/** The current route, following the address bar. */
export const route = signal<Route>(parseHash(location.hash));
window.addEventListener('hashchange', () => {
  route.value = parseHash(location.hash);
});

export function navigate(next: Route): void {
  location.hash = hrefOf(next);
}
