/** Classifies database errors: unreachable (retry later) versus wrong (do not retry). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
]);

/** True when the error says the database is unreachable (retry later), not that the data is wrong. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  return /Connection terminated|connection (?:is )?closed|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection/i.test(
    e.message ?? '',
  );
}
