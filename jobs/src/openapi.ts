/**
 * `npm run docs:api` — writes the OpenAPI document the service generates (docs/openapi.json) and a
 * Markdown API reference (docs/api.md) from it. `--check` fails when the committed files are stale.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../api/src/config/index.js';
import { createApp } from '../../api/src/app.js';
import { createLogger } from '../../api/src/ops/index.js';
import { renderApiReference, type OpenApiDocument } from './openapi.render.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

export async function generateOpenApi(): Promise<OpenApiDocument> {
  const dir = mkdtempSync(join(tmpdir(), 'luna-openapi-'));
  const app = await createApp(parseConfig({ LUNA_DATA_DIR: dir, LUNA_MQTT: 'off', LUNA_DEMO: 'off' }), { logger: createLogger('silent') });
  try {
    await app.server.ready();
    return app.server.swagger() as unknown as OpenApiDocument;
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const doc = await generateOpenApi();
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  const md = renderApiReference(doc);
  if (process.argv.includes('--check')) {
    const stale = [
      ['docs/openapi.json', json],
      ['docs/api.md', md],
    ].filter(([file, body]) => {
      try {
        return readFileSync(join(DOCS, '..', file!), 'utf8') !== body;
      } catch {
        return true;
      }
    });
    if (stale.length) {
      console.error(`docs:api: ${stale.map(([f]) => f).join(', ')} out of date — run npm run docs:api and commit`);
      process.exit(1);
    }
    console.log('docs:api: API reference up to date');
  } else {
    writeFileSync(join(DOCS, 'openapi.json'), json);
    writeFileSync(join(DOCS, 'api.md'), md);
    console.log(`wrote docs/openapi.json and docs/api.md (${Object.keys(doc.paths).length} paths)`);
  }
}
