import { useCallback, useEffect, useRef, useState } from 'react';
import { toBackendError, type BackendError } from '../api/backend-error';

export type BackendQueryState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'loaded'; data: T }
  | { status: 'error'; error: BackendError };

export type BackendQuery<T> = BackendQueryState<T> & { reload: () => void };

/**
 * Runs `load` when it changes and whenever `reload` is called. A reload keeps showing the last
 * answer until the new one arrives, so a view does not flash back to a spinner after a Resync.
 * `load = null` means there is nothing to ask for.
 */
export function useBackendQuery<T>(load: (() => Promise<T>) | null): BackendQuery<T> {
  const [state, setState] = useState<BackendQueryState<T>>(load ? { status: 'loading' } : { status: 'idle' });
  const [generation, setGeneration] = useState(0);
  const lastLoad = useRef(load);

  useEffect(() => {
    if (!load) {
      setState({ status: 'idle' });
      return;
    }
    if (lastLoad.current !== load) {
      lastLoad.current = load;
      setState({ status: 'loading' });
    }
    let current = true;
    load().then(
      (data) => current && setState({ status: 'loaded', data }),
      (error: unknown) => current && setState({ status: 'error', error: toBackendError(error) }),
    );
    return () => {
      current = false;
    };
  }, [load, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}
