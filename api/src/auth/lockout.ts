/**
 * Brute-force protection (pure): after FREE_ATTEMPTS failed logins an account is locked for a
 * time that doubles with every further failure, up to MAX_LOCK_MS. A success resets the count.
 */
export const FREE_ATTEMPTS = 5;
export const FIRST_LOCK_MS = 1_000;
export const MAX_LOCK_MS = 15 * 60_000;

/** How long to lock after the failure that brought the count to failedLogins (0 = no lock). */
export function lockDurationMs(failedLogins: number): number {
  if (failedLogins < FREE_ATTEMPTS) return 0;
  return Math.min(FIRST_LOCK_MS * 2 ** (failedLogins - FREE_ATTEMPTS), MAX_LOCK_MS);
}
