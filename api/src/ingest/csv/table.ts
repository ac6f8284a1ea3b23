/**
 * A file as a table of string cells: header cells and rows, each row with the 1-based line where
 * it starts in the source (the row number in a spreadsheet), so every rejection can point at it.
 */
import ExcelJS from 'exceljs';
import { inferLayout, type Dialect } from './dialect.js';
import { splitRecords } from './records.js';

export interface TableRow {
  /** 1-based source line (CSV) or row number (spreadsheet) */
  line: number;
  /** cells, trimmed; a row may have more or fewer cells than the header (reported when parsed) */
  cells: string[];
}

export interface Table {
  header: string[];
  /** 1-based line of the header, 0 when there is none */
  headerLine: number;
  /** non-empty lines before the header as written ('Zählpunkt: DE000…', 'Einheit: kWh') */
  preamble: string[];
  /** data rows; empty lines (and lines of only delimiters) are left out */
  rows: TableRow[];
  dialect: Dialect;
}

/** Splits text by the dialect. Without a header line the columns are named 'column 1', 'column 2', … */
export function csvToTable(text: string, dialect: Dialect): Table {
  const records = splitRecords(text, dialect.delimiter ?? ';');
  return assemble(
    records.map((r) => ({ line: r.line, cells: r.cells.map((c) => c.trim()), raw: r.raw, blank: r.blank })),
    dialect,
  );
}

function assemble(records: ReadonlyArray<{ line: number; cells: string[]; raw: string; blank: boolean }>, dialect: Dialect): Table {
  const preamble: string[] = [];
  const rows: TableRow[] = [];
  let header: string[] | undefined;
  for (const r of records) {
    if (r.blank) continue;
    if (dialect.headerLine > 0 && r.line < dialect.headerLine) preamble.push(r.raw.trim());
    else if (r.line === dialect.headerLine) header = r.cells;
    else rows.push({ line: r.line, cells: r.cells });
  }
  const width = rows[0]?.cells.length ?? 0;
  return {
    header: header ?? Array.from({ length: width }, (_, i) => `column ${i + 1}`),
    headerLine: header ? dialect.headerLine : 0,
    preamble,
    rows,
    dialect,
  };
}

/**
 * First worksheet of an .xlsx file as a table. Cell values become strings:
 *  - numbers: JavaScript's shortest round-trip form with '.' as decimal mark ('12.5', '1e-7');
 *  - dates: Excel stores a wall-clock serial without time zone and exceljs hands it back as a Date
 *    whose UTC fields are that wall clock; they become local wall-clock text 'YYYY-MM-DD HH:mm:ss'
 *    (rounded to the second), so the same time-zone and DST rules apply as for a CSV export;
 *  - formulas: their cached result; rich text: its plain text; booleans 'true'/'false'.
 * The dialect (header row, date format) is inferred from the cells; decimal is '.'.
 */
export async function xlsxToTable(bytes: Uint8Array): Promise<Table> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  const sheet = workbook.worksheets[0];
  const records: Array<{ line: number; cells: string[]; raw: string; blank: boolean }> = [];
  sheet?.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value).trim());
    records.push({ line: rowNumber, cells, raw: cells.join(';'), blank: cells.every((c) => c === '') });
  });
  const dialect: Dialect = {
    delimiter: null,
    quote: '"',
    ...inferLayout(
      records.filter((r) => !r.blank),
      null,
    ),
  };
  return assemble(records, dialect);
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return wallClockText(value);
  if (typeof value === 'object') {
    if ('result' in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null);
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
  }
  return String(value);
}

function wallClockText(date: Date): string {
  const d = new Date(Math.round(date.getTime() / 1000) * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
  );
}
