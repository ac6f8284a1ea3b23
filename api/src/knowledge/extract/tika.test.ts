/**
 * The Apache Tika adapter against the Tika server started by `scripts/services up tika`
 * (TIKA_URL; skipped without it), over the same fixtures as the built-in extractor, and compared
 * with it. Note: where Maven Central does not serve tika-server-standard, that server is
 * scripts/tika/TikaRest.java — Tika 3.3.1's own parsers behind a small HTTP front (see there).
 * The failure-mapping tests at the end need no Tika: a closed port and a local HTTP peer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../test/services.js';
import { failure, fixture } from './fixture.js';
import { builtinExtractor, tikaExtractor, type ExtractedDocument } from './index.js';

const headings = (doc: ExtractedDocument): string[] => doc.pages.flatMap((p) => p.text.split('\n').filter((l) => /^#{1,6} /.test(l)));
const words = (doc: ExtractedDocument): Set<string> =>
  new Set(
    doc.pages
      .map((p) => p.text)
      .join(' ')
      .toLowerCase()
      .match(/[\p{L}\p{N}]{3,}/gu) ?? [],
  );

describe.skipIf(!services.tika)('Apache Tika adapter (real Tika at TIKA_URL)', () => {
  const tika = tikaExtractor(services.tika ?? '', { timeoutMs: 60_000 });
  const builtin = builtinExtractor();

  it('reports up on /version', async () => {
    expect(await tika.check(5000)).toEqual({ state: 'up', detail: 'HTTP 200' });
  });

  // file, MIME type Tika reports, page numbers, whether Tika's output has the headings
  const CASES: [string, string, (number | undefined)[], boolean][] = [
    ['merkblatt.pdf', 'application/pdf', [1, 2, 3], false],
    ['gleiche-schrift.pdf', 'application/pdf', [1, 2], false],
    ['merkblatt.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', [undefined], true],
    ['merkblatt.html', 'text/html', [undefined], true],
    ['tarife.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', [1, 2], true],
    ['notiz.md', 'text/markdown', [undefined], true],
    ['protokoll-cp1252.txt', 'text/plain', [undefined], true],
    ['lastgang.csv', 'text/plain', [undefined], true], // Tika reads CSV as text (cells stay `;`-separated)
  ];

  it.each(CASES)('%s: same pages and words as the built-in extractor', async (name, mimeType, pages, sameHeadings) => {
    const hint = { filename: name };
    const [viaTika, viaBuiltin] = await Promise.all([tika.extract(fixture(name), hint), builtin.extract(fixture(name), hint)]);
    expect(viaTika.mimeType).toBe(mimeType);
    expect(viaTika.pages.map((p) => p.page)).toEqual(pages);
    if (sameHeadings) expect(headings(viaTika)).toEqual(headings(viaBuiltin));
    // Tika and the built-in extractors differ in layout (line breaks, bullets, date formats),
    // not in content: nearly every word the built-in one finds is in Tika's text too.
    const mine = words(viaBuiltin);
    const theirs = words(viaTika);
    const shared = [...mine].filter((w) => theirs.has(w)).length;
    expect(shared / mine.size).toBeGreaterThan(0.9);
  });

  it('keeps the PDF title from the document info and the text of each page', async () => {
    const doc = await tika.extract(fixture('merkblatt.pdf'), { filename: 'merkblatt.pdf' });
    expect(doc.title).toBe('Merkblatt steuerbare Verbrauchseinrichtungen');
    expect(doc.pages[1]!.text).toMatch(/^2 Netzentgelte\n/);
    expect(doc.pages[2]!.text).toContain('Direktvermarktung');
    expect(doc.pages[2]!.text).not.toContain('Anwendungsbereich'); // the PDF outline after the pages is left out
  });

  it('a file name with umlauts and quotes does not break the request (Content-Disposition stays valid)', async () => {
    const doc = await tika.extract(fixture('notiz.md'), { filename: 'Notiz Prüfung "Nord".md' });
    expect(doc.mimeType).toBe('text/markdown');
    expect(doc.title).toBe('Notiz zur Begehung');
  });

  it('encrypted PDF → encrypted (Tika answers 422)', async () => {
    const err = await failure(tika.extract(fixture('verschluesselt.pdf'), { filename: 'verschluesselt.pdf' }));
    expect(err.code).toBe('encrypted');
    expect(err.retryable).toBe(false);
  });

  it.each(['abgeschnitten.pdf', 'abgeschnitten.docx'])('%s → corrupt with Tika’s reason', async (name) => {
    const err = await failure(tika.extract(fixture(name), { filename: name }));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(new RegExp(`^${name.replace('.', '\\.')} cannot be read \\(Tika: .+\\)`));
  });

  it('too large is refused before anything is sent', async () => {
    const small = tikaExtractor(services.tika ?? '', { maxBytes: 1000 });
    expect((await failure(small.extract(fixture('merkblatt.pdf'), { filename: 'm.pdf' }))).code).toBe('too_large');
  });

  it('bytes Tika does not recognise → unsupported_type', async () => {
    const noise = new Uint8Array(2048).map((_, i) => (i * 7919) % 251);
    const err = await failure(tika.extract(noise, { filename: 'daten.bin' }));
    expect(err.code).toBe('unsupported_type');
  });
});

describe('Apache Tika adapter when Tika is not there or failing', () => {
  let peer: Server;
  let url = '';
  let status = 503;
  let body = '';
  beforeAll(async () => {
    peer = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain' }).end(body));
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => peer.close(() => resolve())));

  it('a closed port → unavailable, retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(tikaExtractor(`http://127.0.0.1:${port}`).extract(fixture('notiz.md'), { filename: 'notiz.md' }));
    expect(err.code).toBe('unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect((await tikaExtractor(`http://127.0.0.1:${port}`).check(1000)).state).toBe('down');
  });

  it.each([
    [503, '', 'unavailable', true],
    [422, 'org.apache.tika.exception.EncryptedDocumentException: Unable to process: document is encrypted', 'encrypted', false],
    [422, 'org.apache.tika.exception.TikaException: Unexpected RuntimeException', 'corrupt', false],
    [415, '', 'unsupported_type', false],
    [404, 'not found', 'unavailable', false],
  ] as const)('HTTP %i → %s (retryable %s)', async (code, text, expected, retryable) => {
    status = code;
    body = text;
    const err = await failure(tikaExtractor(url).extract(fixture('notiz.md'), { filename: 'notiz.md' }));
    expect([err.code, err.retryable]).toEqual([expected, retryable]);
  });

  it('a timeout → unavailable, retryable', async () => {
    const slow = createServer(() => undefined); // accepts and never answers
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    try {
      const err = await failure(tikaExtractor(at, { timeoutMs: 200 }).extract(fixture('notiz.md'), { filename: 'notiz.md' }));
      expect([err.code, err.retryable]).toEqual(['unavailable', true]);
      expect(err.message).toMatch(/no answer within 0\.2 s/);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
