/**
 * S3 / MinIO object store: PUT, GET, HEAD and DELETE of single objects, path-style addressing
 * (`<endpoint>/<bucket>/<key>`, what MinIO serves without DNS), AWS Signature V4 with the
 * configured keys (unsigned requests when none are set, for a public bucket). No AWS SDK: four
 * verbs and a signer are ~230 lines, where @aws-sdk/client-s3 would add dozens of packages.
 *
 * Errors: S3's XML error body becomes an ObjectStoreError with S3's code and message;
 * 5xx, SlowDown and network failures are retryable, everything else is not.
 */
import type { Config } from '../config/index.js';
import type { CheckResult } from '../ops/dependency.js';
import { EMPTY_SHA256, sha256Hex, signV4, uriEncode } from './sigv4.js';
import { assertKey, ObjectStoreError, type ObjectInfo, type ObjectStore } from './store.js';

export interface S3Options {
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** The clock for signatures (tests). */
  now?: () => Date;
}

type S3Config = Extract<Config['objectStore'], { adapter: 's3' }>;

export function s3ObjectStore(config: S3Config, options: S3Options = {}): ObjectStore {
  const endpoint = config.endpoint.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const now = options.now ?? (() => new Date());
  const signed = config.accessKeyId !== undefined && config.secretAccessKey !== undefined;
  const target = `${endpoint}/${config.bucket}`;

  const request = async (method: string, key: string | undefined, body?: Uint8Array): Promise<Response> => {
    const path = key === undefined ? `/${config.bucket}` : `/${config.bucket}/${uriEncode(key, true)}`;
    const url = new URL(endpoint + path);
    const payloadSha256 = body ? sha256Hex(body) : EMPTY_SHA256;
    const extra: Record<string, string> = body ? { 'content-type': 'application/octet-stream' } : {};
    const headers = signed
      ? signV4({
          method,
          url,
          headers: extra,
          payloadSha256,
          region: config.region,
          accessKeyId: config.accessKeyId!,
          secretAccessKey: config.secretAccessKey!,
          now: now(),
        })
      : extra;
    try {
      return await fetch(url, {
        method,
        headers,
        ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
      throw new ObjectStoreError('Unavailable', `S3 ${method} ${key ?? config.bucket} at ${target}: ${reason}`, true, { cause: err });
    }
  };

  const fail = async (res: Response, method: string, key: string): Promise<never> => {
    throw await s3Error(res, `S3 ${method} ${key} at ${target}`);
  };

  return {
    name: 'objectStore',
    adapter: 's3',
    target,
    note: signed ? 'S3 API, path-style, SigV4' : 'S3 API, path-style, unsigned (no S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY)',
    async put(key, body) {
      assertKey(key);
      const res = await request('PUT', key, body);
      if (!res.ok) await fail(res, 'PUT', key);
      await res.body?.cancel();
    },
    async get(key) {
      assertKey(key);
      const res = await request('GET', key);
      if (res.status === 404) {
        const err = await s3Error(res, `S3 GET ${key} at ${target}`);
        if (err.code === 'NoSuchKey' || err.code === 'NotFound') return undefined;
        throw err;
      }
      if (!res.ok) await fail(res, 'GET', key);
      return new Uint8Array(await res.arrayBuffer());
    },
    async head(key) {
      assertKey(key);
      const res = await request('HEAD', key);
      if (res.status === 404) return undefined;
      if (!res.ok) await fail(res, 'HEAD', key);
      const info: ObjectInfo = { sizeBytes: Number(res.headers.get('content-length') ?? 0) };
      const etag = res.headers.get('etag');
      const modified = res.headers.get('last-modified');
      if (etag) info.etag = etag.replace(/"/g, '');
      if (modified) info.lastModified = new Date(modified);
      return info;
    },
    async delete(key) {
      assertKey(key);
      const res = await request('DELETE', key);
      // S3 answers 204 whether or not the key existed.
      if (!res.ok && res.status !== 404) await fail(res, 'DELETE', key);
      await res.body?.cancel();
    },
    async check(): Promise<CheckResult> {
      // HEAD on the bucket: 200 when it exists and the keys may use it.
      let res: Response;
      try {
        res = await request('HEAD', undefined);
      } catch (err) {
        return { state: 'down', detail: (err as Error).message };
      }
      await res.body?.cancel();
      if (res.ok) return { state: 'up', detail: `bucket ${config.bucket} reachable` };
      if (res.status === 404) return { state: 'down', detail: `bucket ${config.bucket} does not exist — create it (e.g. mc mb)` };
      if (res.status === 403) {
        return {
          state: 'down',
          detail: signed ? 'access denied: check S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY' : 'access denied: set S3 keys',
        };
      }
      return { state: 'down', detail: `HTTP ${res.status}` };
    },
  };
}

/** Reads S3's `<Error><Code>…</Code><Message>…</Message></Error>` (HEAD answers have no body). */
export async function s3Error(res: Response, what: string): Promise<ObjectStoreError> {
  const body = await res.text().catch(() => '');
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? (res.status === 404 ? 'NotFound' : `HTTP${res.status}`);
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? res.statusText;
  const retryable = res.status >= 500 || code === 'SlowDown' || code === 'RequestTimeout';
  return new ObjectStoreError(code, `${what}: ${code}${message ? ` — ${message}` : ''} (HTTP ${res.status})`, retryable);
}
