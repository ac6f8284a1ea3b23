/** Loading a page's data: loading / not available (no such route) / error / ok, optionally polled. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { isNotAvailable } from '../api';

export type Resource<T> =
  | { kind: 'loading' }
  | { kind: 'unavailable' }
  | { kind: 'error'; message: string }
  /** stale: the last refresh failed with this message; data is the last good answer */
  | { kind: 'ok'; data: T; stale: string | null };

/**
 * Calls `load` now, whenever `key` changes, and every `pollMs` (if given). `failed` turns an error
 * into a message (null: the session ended and the app shows sign-in).
 */
export function useResource<T>(
  key: string,
  load: () => Promise<T>,
  failed: (err: unknown) => string | null,
  pollMs?: number,
): [Resource<T>, () => Promise<void>] {
  const [res, setRes] = useState<Resource<T>>({ kind: 'loading' });
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);

  const run = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const data = await loadRef.current();
      if (mine === seq.current) setRes({ kind: 'ok', data, stale: null });
    } catch (err) {
      if (mine !== seq.current) return;
      if (isNotAvailable(err)) return setRes({ kind: 'unavailable' });
      const message = failed(err);
      if (message === null) return;
      setRes((prev) => (prev.kind === 'ok' ? { ...prev, stale: message } : { kind: 'error', message }));
    }
  }, [failed]);

  useEffect(() => {
    setRes({ kind: 'loading' });
    void run();
    if (!pollMs) return;
    const timer = window.setInterval(() => void run(), pollMs);
    return () => {
      window.clearInterval(timer);
      seq.current++;
    };
  }, [key, pollMs, run]);

  return [res, run];
}
