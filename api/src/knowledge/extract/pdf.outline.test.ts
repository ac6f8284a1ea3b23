import { describe, expect, it } from 'vitest';
import { applyOutline, type HeadingLine } from './pdf.outline.js';

const lines = (...texts: string[]): HeadingLine[] => texts.map((text) => ({ text, level: 0 }));

describe('PDF headings from the outline', () => {
  it('marks the line spelling the title on its page, depth 0 → #, depth 1 → ##', () => {
    const pages = [lines('§ 1 Zweck', 'Text.'), lines('Text', '(1) Absatz', 'Text')];
    applyOutline(pages, [
      { title: '§ 1 Zweck', depth: 0, page: 1 },
      { title: '(1) Absatz', depth: 1, page: 2 },
      { title: 'Nicht da', depth: 0, page: 2 },
      { title: 'Seite fehlt', depth: 0, page: 9 },
    ]);
    expect(pages.map((p) => p.map((l) => l.level))).toEqual([
      [1, 0],
      [0, 2, 0],
    ]);
  });

  it('a title wrapped over lines marks all of them, as one group', () => {
    const pages = [lines('§ 14a Netzorientierte Steuerung von', 'steuerbaren Verbrauchseinrichtungen', 'Text')];
    applyOutline(pages, [{ title: '§ 14a Netzorientierte Steuerung von steuerbaren Verbrauchseinrichtungen', depth: 0, page: 1 }]);
    expect(pages[0]!.map((l) => [l.level, l.group])).toEqual([
      [1, 0],
      [1, 0],
      [0, undefined],
    ]);
  });

  it('agrees with headings found by font size (the shift seen most), and keeps their levels', () => {
    const pages = [[{ text: 'Bericht', level: 1 }, { text: '1 Einleitung', level: 2 }, ...lines('1.1 Ziel', 'Text')]];
    applyOutline(pages, [
      { title: '1 Einleitung', depth: 0, page: 1 },
      { title: '1.1 Ziel', depth: 1, page: 1 },
    ]);
    expect(pages[0]!.map((l) => l.level)).toEqual([1, 2, 3, 0]);
  });
});
