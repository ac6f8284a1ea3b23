/**
 * JSON over HTTP for the model and vector clients: a timeout per attempt, retries with backoff on
 * 5xx/429 and refused connections (not on timeouts — a slow model would only get slower), and
 * errors that name the server, the path and the reason the server gave.
 */
import { ModelError } from './types.js';

export interface HttpOptions {
  /** Per attempt, default 30 000 ms. */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure, default 2. */
  retries?: number;
  /** First backoff, doubled each retry; default 250 ms. */
  backoffMs?: number;
  headers?: Record<string, string>;
}

export interface JsonRequest {
  /** Name of the server kind for messages, e.g. "Ollama". */
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The error text a server put in its body: Ollama `{error}`, OpenAI `{error:{message}}`, Qdrant `{status:{error}}`. */
export function serverErrorText(body: unknown, raw: string): string {
  if (body && typeof body === 'object') {
    const b = body as { error?: unknown; status?: unknown; message?: unknown };
    if (typeof b.error === 'string') return b.error;
    if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string')
      return (b.error as { message: string }).message;
    if (b.status && typeof b.status === 'object' && typeof (b.status as { error?: unknown }).error === 'string')
      return (b.status as { error: string }).error;
    if (typeof b.message === 'string') return b.message;
  }
  return raw.trim().slice(0, 200) || '(empty body)';
}

/**
 * One JSON request with retries. Resolves for 2xx with the parsed body; `acceptStatus` lets the
 * caller take certain non-2xx answers (e.g. 404 → "collection missing") as results.
 */
export async function requestJson(
  req: JsonRequest,
  options: HttpOptions = {},
  acceptStatus: readonly number[] = [],
): Promise<JsonResponse> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 250;
  const path = new URL(req.url).pathname;
  let last: ModelError | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
    let res: Response;
    let raw: string;
    try {
      res = await fetch(req.url, {
        method: req.method,
        headers: {
          accept: 'application/json',
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      raw = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new ModelError(`${req.label} ${req.method} ${path}: no answer within ${timeoutMs} ms`, 'timeout', undefined, { cause: err });
      }
      last = new ModelError(
        `${req.label} ${req.method} ${path}: ${e.cause?.code ?? e.cause?.message ?? e.message}`,
        'unavailable',
        undefined,
        {
          cause: err,
        },
      );
      continue;
    }
    let body: unknown;
    let parsed = true;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      parsed = false;
      body = undefined;
    }
    if ((res.status >= 200 && res.status < 300) || acceptStatus.includes(res.status)) {
      if (!parsed && res.status < 300) {
        throw new ModelError(
          `${req.label} ${req.method} ${path}: HTTP ${res.status} but the body is not JSON: ${raw.slice(0, 120)}`,
          'bad-response',
          res.status,
        );
      }
      return { status: res.status, body: parsed ? body : raw };
    }
    const error = new ModelError(
      `${req.label} ${req.method} ${path}: HTTP ${res.status}: ${serverErrorText(body, raw)}`,
      'http',
      res.status,
    );
    if (!error.retryable) throw error;
    last = error;
  }
  throw last!;
}

/** A 2xx body that does not have the shape the API promises. */
export function badResponse(label: string, path: string, what: string): ModelError {
  return new ModelError(`${label} ${path}: unexpected response — ${what}`, 'bad-response');
}

export const trimUrl = (url: string): string => url.replace(/\/+$/, '');

/** Checks an array of number arrays, all of the same length; returns it typed. */
export function asVectors(value: unknown, expected: number, label: string, path: string): number[][] {
  if (!Array.isArray(value)) throw badResponse(label, path, 'embeddings are not an array');
  if (value.length !== expected) throw badResponse(label, path, `${value.length} embeddings for ${expected} inputs`);
  let dims = -1;
  for (const [i, v] of value.entries()) {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw badResponse(label, path, `embedding ${i} is not a non-empty array of finite numbers`);
    if (dims === -1) dims = v.length;
    else if (v.length !== dims) throw badResponse(label, path, `embedding ${i} has ${v.length} dimensions, the first has ${dims}`);
  }
  return value as number[][];
}
