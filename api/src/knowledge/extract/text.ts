/**
 * Plain text, Markdown and CSV: decoding (UTF-8 with or without BOM, UTF-16 with BOM, otherwise
 * Windows-1252 — what German Excel and Notepad write) and light normalisation. Pure.
 */
import type { ExtractedDocument } from './types.js';

/** Decodes bytes as UTF-8 when they are valid UTF-8, else as Windows-1252. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

// Windows-1252 differs from Latin-1 in 0x80–0x9F (€, „, “, ”, –, — …). Node 20's TextDecoder
// treats the label as Latin-1, so the table is here. Unassigned bytes keep their C1 code point.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f, 0x90, 0x2018,
  0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  const codes = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    codes[i] = b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b;
  }
  let out = '';
  for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.slice(i, i + 8192));
  return out;
}

/** Unifies line ends, drops NULs and trailing blanks, collapses runs of blank lines. */
export function normaliseText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replaceAll('\u0000', '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function extractPlainText(bytes: Uint8Array): ExtractedDocument {
  return { mimeType: 'text/plain', pages: [{ page: undefined, text: normaliseText(decodeText(bytes).text) }] };
}

/** Markdown stays Markdown; setext headings (`Title` over `===`) become ATX `#` headings. */
export function extractMarkdown(bytes: Uint8Array): ExtractedDocument {
  const text = markdownHeadings(normaliseText(decodeText(bytes).text));
  const title = /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(text)?.[1];
  return { mimeType: 'text/markdown', ...(title ? { title } : {}), pages: [{ page: undefined, text }] };
}

/** Setext headings (`Title` over `===` or `---`) become ATX `#`/`##` headings. */
export function markdownHeadings(text: string): string {
  return text.replace(
    /^(?!\s*$)([^\n#>|-][^\n]*)\n(=+|-+)[ \t]*$/gm,
    (_m, title: string, bar: string) => `${bar.startsWith('=') ? '#' : '##'} ${title.trim()}`,
  );
}

/**
 * CSV as text: one row a line, cells joined by " | " so that words stay apart for search.
 * The delimiter (`;` `,` or tab) is the one found most often in the first line.
 */
export function extractCsv(bytes: Uint8Array): ExtractedDocument {
  const text = normaliseText(decodeText(bytes).text);
  const first = text.split('\n', 1)[0] ?? '';
  const counts = [';', ',', '\t'].map((d) => [d, first.split(d).length - 1] as const);
  const delimiter = counts.sort((a, b) => b[1] - a[1])[0]![0];
  const lines = parseDelimited(text, delimiter).map((row) => {
    const cells = row.map((c) => c.replace(/\s+/g, ' ').trim());
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
    return cells.join(' | ');
  });
  return { mimeType: 'text/csv', pages: [{ page: undefined, text: lines.join('\n') }] };
}

/** RFC 4180 rows: quotes around cells, doubled quotes inside, line breaks inside quotes. */
export function parseDelimited(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
