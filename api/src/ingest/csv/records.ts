/**
 * RFC 4180 record splitting: quoted fields ("…"), "" as an escaped quote, delimiters and line
 * breaks inside quotes. Lenient where exports are sloppy: text after a closing quote is kept, an
 * unclosed quote runs to the end of the text. Line breaks: \r\n, \n or \r.
 */

export interface SourceRecord {
  /** 1-based line where the record starts */
  line: number;
  /** raw cells, not trimmed */
  cells: string[];
  /** the record's text as written (without the line break) */
  raw: string;
  /** every cell is empty or white space */
  blank: boolean;
}

export function splitRecords(text: string, delimiter: string, maxRecords = Infinity): SourceRecord[] {
  const records: SourceRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n && records.length < maxRecords) {
    const startLine = line;
    const startIndex = i;
    const cells: string[] = [];
    let cell = '';
    let inQuotes = false;
    let atCellStart = true;
    let endIndex = n;
    let ended = false;
    while (i < n) {
      const ch = text[i] as string;
      if (inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          inQuotes = false;
          i += 1;
          continue;
        }
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line += 1;
        cell += ch;
        i += 1;
        continue;
      }
      if (ch === '"' && atCellStart) {
        // an opening quote; blanks before it are dropped
        inQuotes = true;
        atCellStart = false;
        cell = '';
        i += 1;
        continue;
      }
      if (ch === delimiter) {
        cells.push(cell);
        cell = '';
        atCellStart = true;
        i += 1;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        endIndex = i;
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line += 1;
        ended = true;
        break;
      }
      cell += ch;
      if (ch !== ' ' && ch !== '\t') atCellStart = false;
      i += 1;
    }
    cells.push(cell);
    const raw = text.slice(startIndex, ended ? endIndex : n);
    records.push({ line: startLine, cells, raw, blank: cells.every((c) => c.trim() === '') });
  }
  return records;
}
