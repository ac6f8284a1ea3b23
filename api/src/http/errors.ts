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
