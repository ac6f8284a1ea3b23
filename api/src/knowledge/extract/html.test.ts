import { describe, expect, it } from 'vitest';
import { htmlToText } from './html.js';
import { decodeWindows1252, markdownHeadings, parseDelimited } from './text.js';
import { zipUncompressedBytes } from './zip.js';

describe('htmlToText', () => {
  it.each([
    [
      'entities decoded (no-break space as space), inline tags joined',
      '<p>Strom &amp; W&auml;rme: 5&nbsp;kW <b>fett</b>!</p>',
      'Strom & Wärme: 5 kW fett!',
    ],
    ['<li><p> keeps the bullet with its text', '<ul><li><p>eins</p></li><li>zwei</li></ul>', '- eins\n- zwei'],
    ['nested lists are indented', '<ul><li>a<ul><li>b</li></ul></li></ul>', '- a\n  - b'],
    ['<pre> keeps its lines', '<pre>x  = 1\n  y = 2</pre><p>danach</p>', 'x  = 1\n  y = 2\n\ndanach'],
    ['nested skipped elements', '<div><script>if (a < b) {}</script><noscript><p>no</p></noscript>ja</div>', 'ja'],
    ['<br> breaks a paragraph', '<p>Zeile 1<br>Zeile 2</p>', 'Zeile 1\n\nZeile 2'],
    ['heading with inline markup', '<h2>§ 14a <em>EnWG</em></h2><p>Text</p>', '## § 14a EnWG\n\nText'],
    ['cells with paragraphs stay in their cell', '<table><tr><td><p>a</p><p>b</p></td><td>c</td></tr></table>', 'a b | c'],
  ])('%s', (_name, html, text) => {
    expect(htmlToText(html).pages).toEqual([text]);
  });

  it('splits at page/sheet divs, drops what follows the last page, keeps line breaks on request', () => {
    const html =
      '<body><div class="page"><p>Seite eins\nzweite Zeile</p></div><div class="page"><p>Seite zwei</p></div><ul><li>Gliederung</li></ul></body>';
    const r = htmlToText(html, { splitPages: true, keepLineBreaks: true });
    expect(r.paged).toBe(true);
    expect(r.pages).toEqual(['Seite eins\nzweite Zeile', 'Seite zwei']);
    expect(htmlToText('<p>a</p>', { splitPages: true })).toMatchObject({ paged: false, pages: ['a'] });
  });

  it('title from <title>, else the first h1', () => {
    expect(htmlToText('<html><head><title> T </title></head><body><h1>H</h1></body></html>').title).toBe('T');
    expect(htmlToText('<h2>x</h2><h1>Erste</h1><h1>Zweite</h1>').title).toBe('Erste');
  });
});

describe('text helpers', () => {
  it('Windows-1252 maps 0x80–0x9F to €, ‚ „ … and keeps Latin-1 above', () => {
    expect(decodeWindows1252(new Uint8Array([0x80, 0x84, 0x93, 0x96, 0x97, 0xe4, 0xdf]))).toBe('€„“–—äß');
  });

  it('setext headings become ATX, list items and rules do not', () => {
    expect(markdownHeadings('Titel\n=====\n\nText\n\nUnter\n-----\n\n- Punkt\n---')).toBe('# Titel\n\nText\n\n## Unter\n\n- Punkt\n---');
  });

  it('delimited rows: quotes, doubled quotes, line breaks inside quotes', () => {
    expect(parseDelimited('a;"b;""c"""\n"x\ny";z', ';')).toEqual([
      ['a', 'b;"c"'],
      ['x\ny', 'z'],
    ]);
  });

  it('zip directory: no directory → undefined', () => {
    expect(zipUncompressedBytes(new Uint8Array(100))).toBeUndefined();
  });
});
