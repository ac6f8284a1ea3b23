/** The shipped corpus is indexed on first start, in the background, with progress in the log (embedded default). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../test/app.js';

const ADMIN_PASSWORD = 'Wissensbasis-Schluessel-7';

describe('preloading the shipped energy laws', () => {
  let t: TestApp;
  let token = '';
  beforeAll(async () => {
    t = await startTestApp({ LUNA_KNOWLEDGE_PRELOAD: 'on', LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD });
    token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).body.accessToken;
  }, 60_000);
  afterAll(() => t?.close());

  it('indexes all laws, the GModG superseding the GEG, and answers from them', async () => {
    let status: { state: string; indexed: number; total: number } = { state: 'running', indexed: 0, total: 0 };
    for (let i = 0; i < 600 && status.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await call(t.base, 'GET', '/knowledge/documents', { token })).body.preload;
    }
    expect(status).toMatchObject({ state: 'done', indexed: 21, total: 21 });
    const docs = (await call(t.base, 'GET', '/knowledge/documents?includeSuperseded=true', { token })).body.documents as Array<{
      law: string;
      status: string;
      builtin: boolean;
    }>;
    expect(docs.filter((d) => d.status === 'active')).toHaveLength(20);
    expect(docs.find((d) => d.law === 'GEG')?.status).toBe('superseded');
    expect(docs.every((d) => d.builtin)).toBe(true);
    const progress = t.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('knowledge: indexed '));
    expect(progress).toHaveLength(21);
    const a = await call(t.base, 'POST', '/rag/ask', { token, body: { question: 'Was regelt § 14a EnWG?' } });
    expect(a.body.found).toBe(true);
    expect(a.body.citations[0]).toMatchObject({ document: 'EnWG – Energiewirtschaftsgesetz', section: '§ 14a' });
  }, 400_000);
});
