/**
 * HTTP for the market and weather clients (adapter edge): one GET with a timeout, retried with
 * exponential backoff when a retry can help (network error, timeout, 429, 5xx; `Retry-After` is
 * honoured), never when it cannot (401/403 bad token, other 4xx). Every attempt is logged with
 * the URL minus its secrets. Clock and sleep are injectable for tests.
 */
export type FetchLike = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SourceError';
  }
}

export interface RetryOptions {
  /** Attempts in all (1 = no retry). Default 4. */
  attempts?: number;
  /** First backoff, doubled per retry (±20 % jitter). Default 1 000 ms. */
  backoffMs?: number;
  /** Longest single wait. Default 60 000 ms. */
  maxBackoffMs?: number;
  /** Per-attempt timeout. Default 20 000 ms. */
  timeoutMs?: number;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each retry (for logs). */
  onRetry?: (info: { attempt: number; waitMs: number; error: SourceError }) => void;
}

export interface HttpResult {
  status: number;
  contentType: string;
  text: string;
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Replaces the values of query parameters that carry secrets, for logs and errors. */
export function redactQuery(url: string, secrets: readonly string[] = ['securityToken', 'token', 'apikey', 'api_key']): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) if (secrets.includes(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return url.replace(/(securityToken|token|apikey|api_key)=[^&]*/g, '$1=***');
  }
}

/**
 * GET `url`. Resolves with any status the caller wants to interpret (`accept(status)`, default
 * 2xx); throws `SourceError` (retryable or not) after the last attempt.
 */
export async function getWithRetry(
  source: string,
  url: string,
  opts: RetryOptions & { accept?: (status: number) => boolean; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const attempts = opts.attempts ?? 4;
  const fetchFn: FetchLike = opts.fetch ?? ((u, init) => fetch(u, init));
  const sleep = opts.sleep ?? sleepReal;
  const random = opts.random ?? Math.random;
  const accept = opts.accept ?? ((s: number) => s >= 200 && s < 300);
  const safeUrl = redactQuery(url);
  let last: SourceError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const res = await fetchFn(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000), headers: opts.headers ?? {} });
      const text = await res.text();
      if (accept(res.status)) return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
      if (res.status === 401 || res.status === 403) {
        throw new SourceError(
          source,
          `HTTP ${res.status} from ${safeUrl}: the token/credentials were refused (${snippet}); check the configuration`,
          false,
          res.status,
        );
      }
      const retryable = res.status === 429 || res.status >= 500;
      const ra = res.headers.get('retry-after');
      if (ra !== null && /^\d+$/.test(ra.trim())) retryAfterMs = Number(ra.trim()) * 1000;
      throw new SourceError(source, `HTTP ${res.status} from ${safeUrl}: ${snippet}`, retryable, res.status);
    } catch (err) {
      last =
        err instanceof SourceError
          ? err
          : new SourceError(
              source,
              `${(err as Error).name === 'TimeoutError' ? 'timed out' : 'request failed'} for ${safeUrl}: ${(err as Error).message}`,
              true,
            );
      if (!last.retryable || attempt === attempts) throw last;
      const base = Math.min(opts.maxBackoffMs ?? 60_000, (opts.backoffMs ?? 1_000) * 2 ** (attempt - 1));
      const waitMs = Math.min(opts.maxBackoffMs ?? 60_000, Math.max(retryAfterMs ?? 0, Math.round(base * (0.8 + 0.4 * random()))));
      opts.onRetry?.({ attempt, waitMs, error: last });
      await sleep(waitMs);
    }
  }
  throw last ?? new SourceError(source, 'no attempt made', false);
}
