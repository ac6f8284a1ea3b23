// Writes tariffs/tariff.schema.json from the zod schema: `npx tsx api/src/tariffs/write-schema.ts`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TARIFFS_DIR } from './loader.js';
import { tariffJsonSchema } from './schema.js';

const path = join(TARIFFS_DIR, 'tariff.schema.json');
await writeFile(path, JSON.stringify(tariffJsonSchema(), null, 2) + '\n');
console.log(`wrote ${path}`);
