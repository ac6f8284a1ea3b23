/**
 * CSV/XLSX meter data: bytes → table → mapping (JSON, editable) → rows in canonical units + rejections.
 *
 *   const { table } = await readTabular(bytes, 'lastgang.csv');
 *   const mapping = detectMapping(table);            // preview, user may edit
 *   const { rows, rejections } = parseTable(table, mapping, { timeZone: 'Europe/Berlin', dstPolicy });
 */
import { decodeBytes, type TextEncodingName } from './decode.js';
import { detectDialect, type Dialect } from './dialect.js';
import { csvToTable, xlsxToTable, type Table } from './table.js';

export type { DecodedText, TextEncodingName } from './decode.js';
export { decodeBytes } from './decode.js';
export type { Dialect, Delimiter } from './dialect.js';
export { detectDialect, parseNumber } from './dialect.js';
export type { DateFormat } from './datetime.js';
export type { Table, TableRow } from './table.js';
export { csvToTable, xlsxToTable } from './table.js';
export type { CsvMapping, Layout, TimeMapping, TimeRole, ValueMapping } from './mapping.js';
export { detectMapping, DEFAULT_QUALITY_CODES } from './mapping.js';
export type { ParseOptions, ParseResult, ParsedRow, ParsedValue } from './parse.js';
export { parseTable } from './parse.js';

export interface TabularFile {
  table: Table;
  dialect: Dialect;
  /** text encoding of a CSV, or 'xlsx' for a spreadsheet */
  encoding: TextEncodingName | 'xlsx';
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;

/** A CSV (any of ; , tab |, UTF-8 or Windows-1252) or an .xlsx (by name or by its zip signature) as a table. */
export async function readTabular(bytes: Uint8Array, filename?: string): Promise<TabularFile> {
  const zip = ZIP_MAGIC.every((b, i) => bytes[i] === b);
  if (zip || /\.xlsx$/i.test(filename ?? '')) {
    const table = await xlsxToTable(bytes);
    return { table, dialect: table.dialect, encoding: 'xlsx' };
  }
  const { text, encoding } = decodeBytes(bytes);
  const dialect = detectDialect(text);
  return { table: csvToTable(text, dialect), dialect, encoding };
}
