/**
 * How a delimited text file is written: delimiter, quoting, decimal mark, thousands separator,
 * where the header is (after a preamble such as 'Zählpunkt: DE000…', 'Einheit: kWh') and how dates
 * look. Detection reads only the first lines; the result is plain JSON so a person can correct it.
 */
import { detectDateFormat, parseTimeCell, type DateFormat } from './datetime.js';
import { splitRecords, type SourceRecord } from './records.js';

export const DELIMITERS = [';', '\t', '|', ','] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface Dialect {
  /** null for spreadsheets (xlsx) */
  delimiter: Delimiter | null;
  /** RFC 4180 quoting with "" as escape; the only quote character seen in meter exports */
  quote: '"';
  decimal: ',' | '.';
  /** thousands separator accepted in numbers ('1.234,56'), null when none */
  thousands: '.' | ',' | null;
  /** 1-based line of the header; 0 when the file has none (columns are then named 'column 1' …) */
  headerLine: number;
  /** format of the date cells; null when no date was found */
  dateFormat: DateFormat | null;
}

const SAMPLE_RECORDS = 200;

/** Detects the dialect of a text export from its first lines. */
export function detectDialect(text: string): Dialect {
  let best: { delimiter: Delimiter; score: number; records: SourceRecord[] } | undefined;
  for (const delimiter of DELIMITERS) {
    const records = splitRecords(text, delimiter, SAMPLE_RECORDS).filter((r) => !r.blank);
    const score = consistencyScore(records);
    if (!best || score > best.score) best = { delimiter, score, records };
  }
  const chosen = best ?? { delimiter: ';' as const, records: [] };
  return {
    delimiter: chosen.delimiter,
    quote: '"',
    ...inferLayout(
      chosen.records.map((r) => ({ line: r.line, cells: r.cells })),
      chosen.delimiter,
    ),
  };
}

/**
 * Cells in the records that share the most frequent column count (≥ 2): count × records. Weighing
 * by the width keeps ',' from winning on a ';' file with decimal commas and a few broken rows
 * ('12,5;W' splits into 2 cells on ',' in every row). 0 when no line splits.
 */
function consistencyScore(records: readonly SourceRecord[]): number {
  const counts = new Map<number, number>();
  for (const r of records) if (r.cells.length >= 2) counts.set(r.cells.length, (counts.get(r.cells.length) ?? 0) + 1);
  let best = 0;
  for (const [width, n] of counts) best = Math.max(best, width * n);
  return best;
}

/**
 * Header line, decimal mark and date format from non-blank records (cells as strings). Shared by
 * CSV and spreadsheets. The first data record is the first one whose first or second cell is a
 * date; the header is the nearest non-blank record before it with the same column count.
 */
export function inferLayout(
  records: ReadonlyArray<{ line: number; cells: readonly string[] }>,
  delimiter: Delimiter | null,
): Omit<Dialect, 'delimiter' | 'quote'> {
  const dataIndex = records.findIndex((r) => r.cells.length >= 2 && r.cells.slice(0, 2).some((c) => detectDateFormat(c) !== undefined));
  const data = dataIndex >= 0 ? records.slice(dataIndex) : [];
  const width = data[0]?.cells.length ?? 0;
  let headerLine = 0;
  for (let i = dataIndex - 1; i >= 0; i--) {
    const r = records[i];
    if (r && r.cells.length === width) {
      headerLine = r.line;
      break;
    }
  }
  const first = data[0];
  const dateCell = first?.cells.slice(0, 2).find((c) => detectDateFormat(c) !== undefined);
  const dateFormat = dateCell === undefined ? null : (detectDateFormat(dateCell) ?? null);
  const decimal = detectDecimal(data.slice(0, 50), delimiter);
  const thousands = decimal === ',' ? '.' : delimiter === ',' || delimiter === null ? null : ',';
  return { decimal, thousands, headerLine, dateFormat };
}

function detectDecimal(records: ReadonlyArray<{ cells: readonly string[] }>, delimiter: Delimiter | null): ',' | '.' {
  if (delimiter === ',') return '.';
  let comma = 0;
  let point = 0;
  for (const r of records) {
    for (const raw of r.cells) {
      const c = raw.trim();
      if (detectDateFormat(c) !== undefined || parseTimeCell(c)) continue;
      if (/^[+-]?\d{1,3}(\.\d{3})+,\d+$/.test(c) || /^[+-]?\d+,\d+$/.test(c)) comma += 1;
      else if (/^[+-]?\d{1,3}(,\d{3})+\.\d+$/.test(c) || /^[+-]?\d+\.\d+$/.test(c)) point += 1;
    }
  }
  return comma > point ? ',' : '.';
}

/**
 * A number as written under the dialect: '12,5', '1.234,56', '-0,25', '1234.5', '1e-3' (point
 * decimal only). Blanks inside (also no-break and thin spaces) are ignored. Undefined when it is no number.
 */
export function parseNumber(text: string, dialect: Pick<Dialect, 'decimal' | 'thousands'>): number | undefined {
  const s = text.replace(/[\s\u00a0\u202f]/g, '');
  if (s === '') return undefined;
  const d = dialect.decimal === ',' ? ',' : '\\.';
  const plain = new RegExp(`^[+-]?(\\d+(${d}\\d*)?|${d}\\d+)$`);
  let normal: string | undefined;
  if (plain.test(s)) normal = s;
  else if (dialect.thousands !== null) {
    const t = dialect.thousands === '.' ? '\\.' : ',';
    if (new RegExp(`^[+-]?\\d{1,3}(${t}\\d{3})+(${d}\\d*)?$`).test(s)) normal = s.split(dialect.thousands).join('');
  }
  if (normal === undefined && dialect.decimal === '.' && /^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i.test(s)) normal = s;
  if (normal === undefined) return undefined;
  const value = Number(dialect.decimal === ',' ? normal.replace(',', '.') : normal);
  return Number.isFinite(value) ? value : undefined;
}
