import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** A query's state in a view. */
export interface AsyncState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `load` on mount, whenever `deps` change and on `reload()`; a late answer from an older call
 * never overwrites a newer one.
 */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  /** Reload this often while mounted (views that watch something change on its own). */
  refreshEveryMs?: number,
): AsyncState<T> {
  const [state, setState] = useState<{
    data: T | undefined;
    error: string | null;
    loading: boolean;
  }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const generation = useRef(0);
  const inFlight = useRef(false);
  // The caller names what `load` depends on, as with useEffect.
  const run = useCallback(load, deps);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    inFlight.current = true;
    setState((previous) => ({ ...previous, loading: true }));
    run().then(
      (data) => {
        if (mine !== generation.current) return;
        inFlight.current = false;
        setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        inFlight.current = false;
        setState((previous) => ({
          ...previous,
          error: error instanceof Error ? error.message : String(error),
          loading: false,
        }));
      },
    );
  }, [run]);
  useEffect(reload, [reload]);
  useEffect(() => {
    if (!refreshEveryMs) return;
    // A tick while the last answer is still awaited is skipped: restarting would discard it, and a
    // slow query (dead letters read a whole topic) would then never be shown.
    const timer = setInterval(() => {
      if (!inFlight.current) reload();
    }, refreshEveryMs);
    return () => clearInterval(timer);
  }, [reload, refreshEveryMs]);
  return { ...state, reload };
}
