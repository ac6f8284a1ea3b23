import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/services.js';
import { localObjectStore } from './index.js';

describe('local object store', () => {
  const tmp = tempDir('luna-objects-');

  it('head gives the size of a stored object and undefined for a missing one or a folder', async () => {
    const store = localObjectStore(tmp.dir);
    await store.put('docs/a/b.txt', new TextEncoder().encode('Lastgang'));
    expect((await store.head('docs/a/b.txt'))?.sizeBytes).toBe(8);
    expect(await store.head('docs/a/missing.txt')).toBeUndefined();
    expect(await store.head('docs/a')).toBeUndefined();
    await store.delete('docs/a/b.txt');
    expect(await store.head('docs/a/b.txt')).toBeUndefined();
    tmp.remove();
  });
});
