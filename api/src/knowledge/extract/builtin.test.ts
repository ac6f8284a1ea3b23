/**
 * The built-in extractor over real files (fixtures/src/README.md says how they were made: LibreOffice
 * wrote the PDF and DOCX from merkblatt.html, qpdf encrypted the PDF, exceljs wrote the XLSX).
 */
import { describe, expect, it } from 'vitest';
import { failure, fixture } from './fixture.js';
import { builtinExtractor, createTextExtractor, type ExtractedDocument } from './index.js';

const extractor = builtinExtractor();
const extract = (name: string, mimeType?: string): Promise<ExtractedDocument> =>
  extractor.extract(fixture(name), { filename: name, ...(mimeType ? { mimeType } : {}) });
const headings = (doc: ExtractedDocument): string[] => doc.pages.flatMap((p) => p.text.split('\n').filter((l) => /^#{1,6} /.test(l)));
const allText = (doc: ExtractedDocument): string => doc.pages.map((p) => p.text).join('\n');

/** A one-page PDF with the standard Helvetica font (not embedded), offsets computed: what simple generators write. */
function minimalPdf(text: string | string[]): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  const lines = (Array.isArray(text) ? text : [text]).map((t) => `(${t}) Tj 0 -14 Td`).join(' ');
  const stream = `BT /F1 12 Tf 72 770 Td ${lines} ET`;
  objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}

const MERKBLATT_HEADINGS = [
  '# Steuerbare Verbrauchseinrichtungen nach § 14a EnWG',
  '## 1 Anwendungsbereich',
  '## 2 Netzentgelte',
  '### 2.1 Messung',
  '## 3 Direktvermarktung',
];

describe('PDF (pdf.js)', () => {
  it('keeps page numbers and finds headings by font size', async () => {
    const doc = await extract('merkblatt.pdf');
    expect(doc.mimeType).toBe('application/pdf');
    expect(doc.title).toBe('Merkblatt steuerbare Verbrauchseinrichtungen');
    expect(doc.pages.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(headings(doc)).toEqual(MERKBLATT_HEADINGS);
    expect(doc.pages[0]!.text).toContain('Mindestleistung von 4,2 kW');
    expect(doc.pages[1]!.text).toMatch(/^## 2 Netzentgelte/);
    expect(doc.pages[2]!.text).toContain('Preise\nin €/MWh.');
    expect(allText(doc)).not.toContain('must not appear');
  });

  it('reads text set in a non-embedded standard font (Helvetica), WinAnsi umlauts included', async () => {
    const doc = await extractor.extract(minimalPdf('Lastgang und Leistungspreis f\u00fcr M\u00e4rz'), { filename: 'mini.pdf' });
    expect(doc.pages).toEqual([{ page: 1, text: 'Lastgang und Leistungspreis für März' }]);
  });

  it('joins words hyphenated at a line end, keeps hyphens of compounds', async () => {
    const doc = await extractor.extract(minimalPdf(['Der Netz-', 'betreiber meldet', 'das Netzbetreiber-', 'Merkblatt']), {
      filename: 'h.pdf',
    });
    expect(doc.pages[0]!.text).toBe('Der Netzbetreiber meldet\ndas Netzbetreiber-\nMerkblatt');
  });

  it('takes headings from the outline (bookmarks) where they are set in the body font', async () => {
    const doc = await extract('gleiche-schrift.pdf');
    expect(headings(doc)).toEqual(['# § 1 Anwendungsbereich', '# § 2 Begriffsbestimmungen', '# § 3 Messstellenbetrieb']);
    expect(doc.pages[1]!.text).toMatch(/^Teil 2 Messstellenbetrieb\n\n# § 3 Messstellenbetrieb\n\nDer Messstellenbetrieb/);
  });

  it('reads a 40-page report page by page', async () => {
    const doc = await extract('bericht-40-seiten.pdf');
    expect(doc.pages).toHaveLength(40);
    expect(doc.pages[39]!.page).toBe(40);
    expect(doc.pages[39]!.text).toMatch(/^## 40 Lastgang im Monat 4\n\nAbschnitt 40.1: /);
  });

  it('rejects a password-protected PDF as encrypted, not retryable', async () => {
    const err = await failure(extract('verschluesselt.pdf'));
    expect(err.code).toBe('encrypted');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/password/);
  });

  it('rejects a truncated PDF as corrupt with a reason', async () => {
    const err = await failure(extract('abgeschnitten.pdf'));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/PDF cannot be read \(.+\).*truncated or damaged/);
  });
});

describe('DOCX (mammoth)', () => {
  it('turns Word heading styles into Markdown headings and tables into rows', async () => {
    const doc = await extract('merkblatt.docx');
    expect(doc.mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(doc.pages).toHaveLength(1);
    expect(doc.pages[0]!.page).toBeUndefined();
    expect(headings(doc)).toEqual(MERKBLATT_HEADINGS);
    expect(doc.title).toBe('Steuerbare Verbrauchseinrichtungen nach § 14a EnWG');
    expect(allText(doc)).toContain('Modul | Leistungspreis | Arbeitspreis\n1 | pauschal | unverändert');
    expect(allText(doc)).toContain('- Modul 2: prozentuale Reduzierung des Arbeitspreises um 60 %\n- Modul 3');
  });

  it('rejects a truncated DOCX as corrupt', async () => {
    const err = await failure(extract('abgeschnitten.docx'));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/DOCX file cannot be read/);
  });
});

describe('HTML', () => {
  it('keeps h1–h6 as headings, drops scripts and styles, uses <title>', async () => {
    const doc = await extract('merkblatt.html');
    expect(doc.title).toBe('Merkblatt steuerbare Verbrauchseinrichtungen');
    expect(headings(doc)).toEqual(MERKBLATT_HEADINGS);
    expect(allText(doc)).not.toMatch(/console\.log|font-family/);
    expect(allText(doc)).toContain('2 | entfällt | minus 60 %');
  });
});

describe('XLSX (exceljs)', () => {
  it('gives one page per sheet, headed by the sheet name, formulas as their results', async () => {
    const doc = await extract('tarife.xlsx');
    expect(doc.title).toBe('Tarifübersicht 2025');
    expect(doc.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(doc.pages[0]!.text.split('\n')).toEqual([
      '# Netzentgelte',
      '',
      'Netzbetreiber | Leistungspreis €/kW/a | Arbeitspreis ct/kWh | gültig ab',
      'Stadtwerke Beispiel | 98.5 | 2.31 | 2025-01-01',
      'Westnetz Muster | 112 | 1.98 | 2025-01-01',
      'Summe | 210.5',
    ]);
    expect(doc.pages[1]!.text).toMatch(/^# Module §14a\n\nModul \| Beschreibung/);
  });
});

describe('Markdown, text, CSV', () => {
  it('Markdown: setext headings become # headings; the first is the title', async () => {
    const doc = await extract('notiz.md');
    expect(doc.mimeType).toBe('text/markdown');
    expect(doc.title).toBe('Notiz zur Begehung');
    expect(headings(doc)).toEqual(['# Notiz zur Begehung', '## Befund', '## Maßnahmen']);
  });

  it('text in Windows-1252 (€, „ “, –) is decoded as such', async () => {
    const doc = await extract('protokoll-cp1252.txt');
    expect(doc.pages[0]!.text).toBe(
      'Protokoll Zählerwechsel\n\nZählerstand alt: 12.345 kWh, Gebühr 45 € – bezahlt.\n„Messstellenbetrieb“ laut MsbG.',
    );
  });

  it('UTF-8 with BOM and CRLF', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('Größe\r\nÜberschuss €\r\n')]);
    const doc = await extractor.extract(bytes, { filename: 'a.txt' });
    expect(doc.pages[0]!.text).toBe('Größe\nÜberschuss €');
  });

  it('CSV: the delimiter is detected, quoted cells keep their delimiter, trailing empty cells go', async () => {
    const doc = await extract('lastgang.csv');
    expect(doc.pages[0]!.text.split('\n')).toEqual([
      'Zeitstempel | Wirkleistung kW | Bemerkung',
      '01.01.2025 00:15 | 182,4 | Spitze; Wärmepumpe',
      '01.01.2025 00:30 | 175,0',
    ]);
  });
});

describe('limits and refusals', () => {
  it('too large: names the size and the limit', async () => {
    const small = builtinExtractor({ maxBytes: 10_000 });
    const err = await failure(small.extract(fixture('merkblatt.pdf'), { filename: 'merkblatt.pdf' }));
    expect(err.code).toBe('too_large');
    expect(err.message).toMatch(/43\.7 KiB; the limit is 9\.8 KiB/);
  });

  it('a DOCX/XLSX that unpacks beyond the limit is refused before it is inflated (zip bomb)', async () => {
    const strict = builtinExtractor({ maxUnpackedBytes: 20_000 });
    const err = await failure(strict.extract(fixture('bericht-40-seiten.docx'), { filename: 'bericht.docx' }));
    expect(err.code).toBe('too_large');
    // 136,266 bytes in 10 entries, as `unzip -l` lists them
    expect(err.message).toBe('bericht.docx unpacks to 133.1 KiB; the limit is 19.5 KiB');
    expect((await strict.extract(fixture('tarife.xlsx'), { filename: 'tarife.xlsx' })).pages).toHaveLength(2);
  });

  it('unsupported type names the accepted types', async () => {
    const err = await failure(extractor.extract(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), { filename: 'foto.png' }));
    expect(err.code).toBe('unsupported_type');
    expect(err.message).toMatch(/"\.png" files cannot be read; accepted types are PDF, DOCX, XLSX, HTML, Markdown, plain text, CSV/);
  });

  it('old Word files get advice to convert them', async () => {
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    const err = await failure(extractor.extract(ole, { filename: 'alt.doc' }));
    expect(err.code).toBe('unsupported_type');
    expect(err.message).toMatch(/save it as \.docx or PDF/);
  });

  it('an OLE2 file named .docx is a password-protected Office document', async () => {
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    const err = await failure(extractor.extract(ole, { filename: 'vertrag.docx' }));
    expect(err.code).toBe('encrypted');
  });

  it('empty file and whitespace-only text are empty', async () => {
    expect((await failure(extractor.extract(new Uint8Array(), { filename: 'x.txt' }))).code).toBe('empty');
    expect((await failure(extractor.extract(Buffer.from(' \n\n '), { filename: 'x.md' }))).code).toBe('empty');
  });

  it('a PDF header after leading junk is still a PDF', async () => {
    const bytes = new Uint8Array([...Buffer.from('\r\n  '), ...fixture('merkblatt.pdf')]);
    expect((await extractor.extract(bytes, { filename: 'upload' })).pages).toHaveLength(3);
  });

  it('content wins over a wrong extension (a PDF named .txt is read as PDF)', async () => {
    const doc = await extractor.extract(fixture('merkblatt.pdf'), { filename: 'merkblatt.txt' });
    expect(doc.mimeType).toBe('application/pdf');
    expect(doc.pages).toHaveLength(3);
  });

  it('text without extension is recognised by content, HTML by its doctype', async () => {
    const html = await extractor.extract(Buffer.from('<!DOCTYPE html><h1>A</h1><p>b</p>'), { filename: 'upload' });
    expect(html.pages[0]!.text).toBe('# A\n\nb');
    const text = await extractor.extract(Buffer.from('just words'), { filename: 'upload' });
    expect(text.mimeType).toBe('text/plain');
  });
});

describe('createTextExtractor', () => {
  it('builtin by default, reporting itself for the startup log', async () => {
    const ex = createTextExtractor({ adapter: 'builtin' });
    expect([ex.name, ex.adapter, ex.target]).toEqual(['extractor', 'builtin', 'this process']);
    expect(ex.note).toMatch(/PDF .*DOCX .*XLSX/);
    expect(await ex.check(1000)).toEqual({ state: 'up', detail: 'built-in' });
  });

  it('tika when configured', () => {
    const ex = createTextExtractor({ adapter: 'tika', url: 'http://127.0.0.1:9998/' });
    expect([ex.adapter, ex.target]).toEqual(['tika', 'http://127.0.0.1:9998']);
  });
});
