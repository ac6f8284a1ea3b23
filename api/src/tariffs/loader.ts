// The only I/O of the tariff module: reading tariff data files.
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTariff, type Tariff } from './schema.js';

/** The repository's /tariffs folder. */
export const TARIFFS_DIR = fileURLToPath(new URL('../../../tariffs/', import.meta.url));

export async function loadTariffFile(path: string): Promise<Tariff> {
  const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
  const tariff = parseTariff(raw);
  const expectedId = basename(path, '.json');
  if (tariff.id !== expectedId) throw new Error(`${path}: id "${tariff.id}" must equal the file name "${expectedId}"`);
  return tariff;
}

/** Tariff data files in a folder (every *.json except the JSON Schema). */
export async function listTariffFiles(dir = TARIFFS_DIR): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json'))
    .sort()
    .map((n) => join(dir, n));
}

export async function loadTariff(id: string, dir = TARIFFS_DIR): Promise<Tariff> {
  return loadTariffFile(join(dir, `${id}.json`));
}
