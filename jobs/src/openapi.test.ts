import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi } from './openapi.js';
import { renderApiReference } from './openapi.render.js';

describe('API reference in docs/', () => {
  it('matches the OpenAPI document the service generates (run npm run docs:api when this fails)', async () => {
    const doc = await generateOpenApi();
    expect(JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'))).toEqual(doc);
    expect(readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8')).toBe(renderApiReference(doc));
  });

  it('documents every route with a summary and described responses', async () => {
    const doc = await generateOpenApi();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method.toUpperCase()} ${path} needs a summary`).toBeTruthy();
        expect(op.tags?.length, `${method.toUpperCase()} ${path} needs a tag`).toBeGreaterThan(0);
        for (const [code, r] of Object.entries(op.responses ?? {})) {
          expect(r.description, `${method.toUpperCase()} ${path} response ${code} needs a description`).not.toBe('Default Response');
        }
      }
    }
  });
});
