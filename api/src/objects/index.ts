/**
 * Object store for uploaded files and documents. Local directory by default; S3/MinIO in server
 * mode. Objects are addressed by key; the local adapter writes atomically (temp file + rename).
 *
 * NOT YET BUILT: the S3 client (put/get with SigV4) arrives with document ingest (issue #9);
 * today the s3 adapter checks that the endpoint answers.
 */
import { mkdir, readFile, rename, writeFile, access, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { httpProbe, type Dependency } from '../ops/dependency.js';

export interface ObjectStore extends Dependency {
  put(key: string, body: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,511}$/;

function assertKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`Invalid object key "${key}": use letters, digits, . _ - and / between non-empty parts`);
  }
}

export function localObjectStore(dir: string): ObjectStore {
  const root = resolve(dir);
  return {
    name: 'objectStore',
    adapter: 'local',
    target: root,
    async put(key, body) {
      assertKey(key);
      const file = join(root, key);
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
      await writeFile(tmp, body, { flush: true });
      await rename(tmp, file);
    },
    async get(key) {
      assertKey(key);
      try {
        return new Uint8Array(await readFile(join(root, key)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async delete(key) {
      assertKey(key);
      await rm(join(root, key), { force: true });
    },
    async check() {
      try {
        await mkdir(root, { recursive: true });
        await access(root, constants.W_OK);
        return { state: 'up', detail: 'writable' };
      } catch (err) {
        return { state: 'down', detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
      }
    },
  };
}

export function s3ObjectStore(config: Extract<Config['objectStore'], { adapter: 's3' }>): ObjectStore {
  const notYet = async (): Promise<never> => {
    throw new Error('S3 object store is not implemented yet; use LUNA_OBJECT_STORE=local');
  };
  return {
    name: 'objectStore',
    adapter: 's3',
    target: `${config.endpoint.replace(/\/$/, '')}/${config.bucket}`,
    note: 'reachability check only; S3 put/get not built yet (issue #9)',
    put: notYet,
    get: notYet,
    delete: notYet,
    // Any HTTP answer (S3 replies 403 without credentials) shows the endpoint is there.
    check: (timeoutMs) => httpProbe(config.endpoint, timeoutMs, (s) => s < 500),
  };
}

export function createObjectStore(config: Config['objectStore']): ObjectStore {
  return config.adapter === 's3' ? s3ObjectStore(config) : localObjectStore(config.dir);
}
