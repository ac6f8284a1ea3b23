/**
 * Object store for uploaded files and documents: a local directory by default, S3/MinIO
 * (path-style, SigV4) when S3_ENDPOINT is set. See README.md.
 */
import type { Config } from '../config/index.js';
import { s3ObjectStore } from './s3.js';
import { localObjectStore, type ObjectStore } from './store.js';

export { assertKey, localObjectStore, ObjectStoreError, type ObjectInfo, type ObjectStore } from './store.js';
export { s3ObjectStore, type S3Options } from './s3.js';

export function createObjectStore(config: Config['objectStore']): ObjectStore {
  return config.adapter === 's3' ? s3ObjectStore(config) : localObjectStore(config.dir);
}
