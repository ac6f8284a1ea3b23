/**
 * The S3 adapter against a protocol-faithful local peer (s3.peer.ts: verifies every SigV4
 * signature with the secret, stores objects in memory, answers S3's XML errors). No real MinIO
 * or AWS S3 runs in these tests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore, ObjectStoreError, s3ObjectStore, type ObjectStore } from './index.js';
import { startS3Peer, type S3Peer } from './s3.peer.js';

const KEYS = { accessKeyId: 'LUNATESTKEY', secretAccessKey: 'lunaTestSecret/with+chars=' };

async function failure(promise: Promise<unknown>): Promise<ObjectStoreError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ObjectStoreError);
    return err as ObjectStoreError;
  }
  throw new Error('expected an ObjectStoreError');
}

describe('S3 object store (against a local SigV4-verifying S3 peer)', () => {
  let peer: S3Peer;
  let store: ObjectStore;
  const config = (over: Partial<typeof KEYS> & { bucket?: string } = {}) => ({
    adapter: 's3' as const,
    endpoint: `${peer.url}/`,
    bucket: over.bucket ?? 'luna',
    region: 'eu-central-1',
    accessKeyId: over.accessKeyId ?? KEYS.accessKeyId,
    secretAccessKey: over.secretAccessKey ?? KEYS.secretAccessKey,
  });

  beforeAll(async () => {
    peer = await startS3Peer({ ...KEYS, region: 'eu-central-1', buckets: ['luna'] });
    store = createObjectStore(config());
  });
  afterAll(() => peer.close());

  it('put → head → get → delete round trip, every byte value intact', async () => {
    const bytes = new Uint8Array(1024).map((_, i) => i % 256);
    const key = 'docs/2026/site-1/bericht_v1.pdf';
    await store.put(key, bytes);
    expect(peer.objects.get(`luna/${key}`)?.body.length).toBe(1024);
    const info = await store.head(key);
    expect(info?.sizeBytes).toBe(1024);
    expect(info?.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(info?.lastModified).toBeInstanceOf(Date);
    expect(await store.get(key)).toEqual(bytes);
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.head(key)).toBeUndefined();
    await store.delete(key); // deleting a missing key is no error
    expect(peer.requests.at(-1)?.signedHeaders).toBe('host;x-amz-content-sha256;x-amz-date');
    expect(peer.requests.find((r) => r.method === 'PUT')?.signedHeaders).toBe('content-type;host;x-amz-content-sha256;x-amz-date');
  });

  it('an empty object round-trips', async () => {
    await store.put('empty/file.txt', new Uint8Array());
    expect(await store.get('empty/file.txt')).toEqual(new Uint8Array());
    expect((await store.head('empty/file.txt'))?.sizeBytes).toBe(0);
  });

  it('keeps the interface the rest of the service uses (adapter/target for the startup log)', () => {
    expect([store.name, store.adapter, store.target]).toEqual(['objectStore', 's3', `${peer.url}/luna`]);
    expect(store.note).toMatch(/SigV4/);
  });

  it('a wrong secret is refused by the peer: SignatureDoesNotMatch, not retryable', async () => {
    const wrong = s3ObjectStore(config({ secretAccessKey: 'not-the-secret' }));
    const err = await failure(wrong.put('a/b.txt', new Uint8Array([1])));
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/S3 PUT a\/b\.txt at .*: SignatureDoesNotMatch — The request signature we calculated/);
  });

  it('an unknown access key → InvalidAccessKeyId; no keys at all → AccessDenied', async () => {
    expect((await failure(s3ObjectStore(config({ accessKeyId: 'NOPE' })).get('a/b.txt'))).code).toBe('InvalidAccessKeyId');
    const anonymous = s3ObjectStore({ adapter: 's3', endpoint: peer.url, bucket: 'luna', region: 'eu-central-1' });
    expect(anonymous.note).toMatch(/unsigned/);
    expect((await failure(anonymous.get('a/b.txt'))).code).toBe('AccessDenied');
  });

  it('a clock 20 minutes off → RequestTimeTooSkewed', async () => {
    const skewed = s3ObjectStore(config(), { now: () => new Date(Date.now() - 20 * 60_000) });
    expect((await failure(skewed.put('a/b.txt', new Uint8Array([1])))).code).toBe('RequestTimeTooSkewed');
  });

  it('503 SlowDown is retryable', async () => {
    peer.failNext('SlowDown', 503);
    const err = await failure(store.put('a/b.txt', new Uint8Array([1])));
    expect([err.code, err.retryable]).toEqual(['SlowDown', true]);
  });

  it('a missing bucket → NoSuchBucket', async () => {
    const other = s3ObjectStore(config({ bucket: 'fehlt' }));
    expect((await failure(other.put('a/b.txt', new Uint8Array([1])))).code).toBe('NoSuchBucket');
    expect(await other.check(2000)).toEqual({ state: 'down', detail: 'bucket fehlt does not exist — create it (e.g. mc mb)' });
  });

  it('check: up for a reachable bucket, down with advice for wrong keys', async () => {
    expect(await store.check(2000)).toEqual({ state: 'up', detail: 'bucket luna reachable' });
    const wrong = s3ObjectStore(config({ secretAccessKey: 'x' }));
    expect((await wrong.check(2000)).detail).toMatch(/access denied: check S3_ACCESS_KEY_ID/);
  });

  it('keys that could escape the prefix are refused before any request', async () => {
    const before = peer.requests.length;
    await expect(store.put('../escape.txt', new Uint8Array())).rejects.toThrow(/Invalid object key/);
    expect(peer.requests.length).toBe(before);
  });

  it('an endpoint that is down → Unavailable, retryable; check is down with the reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = s3ObjectStore({ ...config(), endpoint: `http://127.0.0.1:${port}` });
    const err = await failure(down.get('a/b.txt'));
    expect([err.code, err.retryable]).toEqual(['Unavailable', true]);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(await down.check(2000)).toMatchObject({ state: 'down', detail: expect.stringMatching(/ECONNREFUSED/) });
  });
});
