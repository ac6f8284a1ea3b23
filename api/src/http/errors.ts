/** Errors that know their HTTP status and a stable code; mapped to responses in one place (http/server.ts). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** seconds after which a retry may succeed (sent as Retry-After and retryAfterS) */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * `from`/`to` query parameters (ISO 8601) as a half-open UTC range in epoch ms; 400 `bad_range` when
 * `to` is not after `from`, or when the range is longer than `maxDays` (if given).
 */
export function parseTimeRange(from: string, to: string, maxDays?: number): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (!(toMs > fromMs)) throw new HttpError(400, 'bad_range', 'to must be after from');
  if (maxDays !== undefined && toMs - fromMs > maxDays * 86_400_000)
    throw new HttpError(400, 'bad_range', `at most ${maxDays} days per request`);
  return { fromMs, toMs };
}
