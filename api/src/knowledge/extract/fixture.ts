/** Helpers for the extractor tests and the benchmark: the committed fixture files and error capture. */
import { readFileSync } from 'node:fs';
import { ExtractionError } from './types.js';

export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** Awaits a promise that must fail with an ExtractionError and returns it; anything else throws. */
export async function failure(promise: Promise<unknown>): Promise<ExtractionError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ExtractionError) return err;
    throw new Error(`expected an ExtractionError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected an ExtractionError, got a document');
}
