import { useCallback } from 'react';
import { ApiError, describeError } from './api';
import type { Strings } from './i18n';

/** The message to show for a failed API call, or null when the session ended (the app then shows the sign-in form). */
export function useFailure(onSessionEnded: () => void, t: Strings): (err: unknown) => string | null {
  return useCallback(
    (err: unknown): string | null => {
      if (err instanceof ApiError && err.status === 401) {
        onSessionEnded();
        return null;
      }
      return describeError(err, t);
    },
    [onSessionEnded, t],
  );
}
