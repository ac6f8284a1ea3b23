/** The states of a Resource that are not data: loading, not available, error; and the stale note. */
import type { ReactNode } from 'react';
import type { CommonStrings } from './common.strings';
import type { Resource } from './resource';

interface Props<T> {
  c: CommonStrings;
  res: Resource<T>;
  /** the feature's name for the "not available" note */
  what: string;
  children: (data: T) => ReactNode;
}

export function ResourceState<T>({ c, res, what, children }: Props<T>) {
  switch (res.kind) {
    case 'loading':
      return (
        <p className="summary" role="status">
          {c.loading}
        </p>
      );
    case 'unavailable':
      return (
        <p className="notice" data-state="not-available">
          {c.notAvailable(what)}
        </p>
      );
    case 'error':
      return (
        <p className="error" role="alert">
          {res.message}
        </p>
      );
    case 'ok':
      return (
        <>
          {res.stale && <p className="error">{c.stale(res.stale)}</p>}
          {children(res.data)}
        </>
      );
  }
}
