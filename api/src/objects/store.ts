/**
 * The object store's interface and the local-directory adapter. Objects are addressed by key;
 * the local adapter writes atomically (temp file + rename).
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Dependency } from '../ops/dependency.js';

export interface ObjectInfo {
  sizeBytes: number;
  etag?: string;
  lastModified?: Date;
}

export interface ObjectStore extends Dependency {
  put(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes, or undefined when there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Size (and S3's ETag / last modified) without the bytes; undefined when there is no such key. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Removes the key; no error when it does not exist. */
  delete(key: string): Promise<void>;
}

/** A failed store operation; `code` is S3's error code where there is one. */
export class ObjectStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ObjectStoreError';
  }
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,511}$/;

export function assertKey(key: string): void {
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
    async head(key) {
      assertKey(key);
      try {
        const s = await stat(join(root, key));
        return s.isFile() ? { sizeBytes: s.size, lastModified: s.mtime } : undefined;
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
