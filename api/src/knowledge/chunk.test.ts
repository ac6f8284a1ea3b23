import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkByHeadings, chunkLaw, MAX_CHARS, pack, parseLawHeader, plainText } from './chunk.js';
import { KNOWLEDGE_DIR } from './ontology.js';

const law = (file: string) => readFileSync(`${KNOWLEDGE_DIR}regulation/${file}`, 'utf8');
const ENWG = law('EnWG-BJNR197010005.md');
const STROMNEV = law('StromNEV-BJNR222500005.md');

/** The text of one section of a shipped law file, from its heading to the next. */
function excerpt(md: string, heading: string): string {
  const start = md.indexOf(`\n# ${heading}`);
  const end = md.indexOf('\n# ', start + 3);
  return `${md.split('\n', 2).join('\n')}\n${md.slice(start, end)}`;
}

describe('parseLawHeader', () => {
  it('reads title, short name and abbreviation of real law files', () => {
    expect(parseLawHeader(ENWG)).toEqual({
      title: 'Gesetz über die Elektrizitäts- und Gasversorgung',
      shortName: 'Energiewirtschaftsgesetz',
      abbreviation: 'EnWG',
      enactedOn: '2005-07-07',
    });
    expect(parseLawHeader(law('StromStG-BJNR037810999.md'))).toMatchObject({ abbreviation: 'StromStG', shortName: 'Stromsteuergesetz' });
    expect(parseLawHeader(law('EEG_2023-BJNR106610014.md'))?.abbreviation).toBe('EEG 2023');
    expect(parseLawHeader('# Just a note')).toBeUndefined();
  });
});

describe('chunkLaw on real law text', () => {
  it('cuts § 14a EnWG by Absatz and keeps law, § and title on every chunk', () => {
    const chunks = chunkLaw(excerpt(ENWG, '§ 14a'), 'EnWG');
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const c of chunks) {
      expect(c.section).toBe('§ 14a');
      expect(c.headingPath[0]).toBe('EnWG');
      expect(c.headingPath[1]).toMatch(/^§ 14a – Netzorientierte Steuerung von steuerbaren Verbrauchseinrichtungen/);
      expect(c.text.length).toBeLessThanOrEqual(MAX_CHARS);
    }
    expect(chunks[0]!.paragraph).toMatch(/^Abs\. 1\b/);
    expect(chunks[0]!.text).toMatch(/^\(1\) Die Bundesnetzagentur kann durch Festlegung/);
    expect(chunks.map((c) => c.paragraph)).toContain('Abs. 2');
  });

  it('cuts the long definitions of § 3 EnWG at numbered items and names the item range', () => {
    const chunks = chunkLaw(excerpt(ENWG, '§ 3 –'), 'EnWG');
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.every((c) => c.text.length <= MAX_CHARS)).toBe(true);
    expect(chunks[0]!.paragraph).toMatch(/^Nr\. 1–\d+/);
    // a defined term stays with its definition
    const withTerm = chunks.find((c) => c.text.includes('Abrechnungsinformationen'))!;
    expect(withTerm.text).toMatch(/1\. Abrechnungsinformationen\nInformationen, die/);
  });

  it('keeps every Absatz of § 19 StromNEV and nothing of the table of contents', () => {
    const all = chunkLaw(STROMNEV, 'StromNEV');
    const s19 = all.filter((c) => c.section === '§ 19');
    expect(s19.map((c) => c.paragraph?.split(' ').slice(0, 2).join(' '))).toEqual(expect.arrayContaining(['Abs. 1', 'Abs. 2']));
    expect(all.some((c) => c.sectionTitle === 'Inhaltsübersicht')).toBe(false);
    expect(new Set(all.map((c) => c.ordinal)).size).toBe(all.length);
  });

  it('finds every § heading of the shipped laws as a section', () => {
    for (const file of ['EnWG-BJNR197010005.md', 'MsbG-BJNR203410016.md', 'StromStG-BJNR037810999.md']) {
      const md = law(file);
      const headings = new Set([...md.matchAll(/^# (§ \d+[a-z]?) – /gm)].map((m) => m[1]));
      const sections = new Set(chunkLaw(md, 'X').map((c) => c.section));
      for (const h of headings) expect(sections, `${file} ${h}`).toContain(h);
    }
  });
});

describe('chunkByHeadings', () => {
  it('keeps the heading path and the page of each chunk', () => {
    const chunks = chunkByHeadings(
      [
        { page: 1, text: '# Energiebericht 2025\n\nEinleitung.\n\n## Lastgang\n\nDer Lastgang zeigt Spitzen am Morgen.' },
        { page: 2, text: '## Leistungspreis\n\nDer Leistungspreis beträgt 120 €/kW.\n\n### Jahreshöchstleistung\n\n1,2 MW im Januar.' },
      ],
      'Bericht',
    );
    expect(chunks.map((c) => [c.section, c.page])).toEqual([
      ['Energiebericht 2025', 1],
      ['Energiebericht 2025 > Lastgang', 1],
      ['Energiebericht 2025 > Leistungspreis', 2],
      ['Energiebericht 2025 > Leistungspreis > Jahreshöchstleistung', 2],
    ]);
    expect(chunks[3]!.headingPath).toEqual(['Bericht', 'Energiebericht 2025', 'Leistungspreis', 'Jahreshöchstleistung']);
  });

  it('uses the document title when there are no headings, without page numbers when there are none', () => {
    const chunks = chunkByHeadings([{ page: undefined, text: 'Nur Text.\n\nZweiter Absatz.' }], 'Notiz');
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ section: 'Notiz', headingPath: ['Notiz'] });
    expect(chunks[0]!.page).toBeUndefined();
  });
});

describe('pack and plainText', () => {
  it('never exceeds the size and loses no text', () => {
    const blocks = Array.from({ length: 40 }, (_, i) => `Satz ${i} endet hier. Noch ein Satz ${i}.`);
    const pieces = pack(blocks, 200);
    expect(pieces.every((p) => p.length <= 200)).toBe(true);
    expect(pieces.join(' ').replace(/\s+/g, ' ')).toBe(blocks.join(' '));
  });
  it('turns HTML tables into text', () => {
    expect(plainText('<table><tr><td>a</td><td>b&amp;c</td></tr></table>')).toBe('a | b&c |');
  });
});
