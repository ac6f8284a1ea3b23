/**
 * Rows of a table under a mapping → timestamped values in canonical units, and rejections a person
 * can act on (line, column, reason). Pure: time zone and DST policy are passed in.
 */
import type { Quality, Rejection } from '../model.js';
import { parseIsoWithOffset, resolveLocalSequence, type DstPolicy, type LocalDateTime } from '../normalise.js';
import { parseDateCell, parseTimeCell, toLocalDateTime } from './datetime.js';
import { parseNumber } from './dialect.js';
import type { CsvMapping } from './mapping.js';
import type { Table } from './table.js';

export interface ParseOptions {
  /** IANA zone of the wall-clock times in the file, e.g. 'Europe/Berlin' (ignored for ISO times with offset) */
  timeZone: string;
  dstPolicy: DstPolicy;
}

export interface ParsedValue {
  /** 0-based column, as in mapping.values[].column */
  column: number;
  /** in the canonical unit of the column (W, Wh, …) */
  value: number;
  quality: Quality;
}

export interface ParsedRow {
  line: number;
  /** UTC epoch ms; for interval energy the interval START (files stamped at the end are shifted back) */
  tsMs: number;
  /** length of the interval for interval energy, in ms */
  intervalMs?: number;
  values: ParsedValue[];
}

export interface ParseResult {
  rows: ParsedRow[];
  rejections: Rejection[];
}

const RAW_MAX = 500;
const FORMAT_HINT = { 'DD.MM.YYYY': 'DD.MM.YYYY', 'DD.MM.YY': 'DD.MM.YY', 'YYYY-MM-DD': 'YYYY-MM-DD', ISO_OFFSET: 'ISO 8601 with offset' };

interface Pending {
  line: number;
  raw: string;
  local?: LocalDateTime;
  tsMs?: number;
  values: ParsedValue[];
}

/**
 * Good rows are kept, bad ones reported: wrong column count, a date/time that does not parse or
 * does not exist (DST), a value that is no number (reported per value; the row keeps its other
 * values), a timestamp seen before in the file (the first one wins). Values are multiplied by the
 * unit factor and rounded to 12 significant digits, so 12,5 kWh is exactly 12500 Wh. Rows may be
 * out of order; they are returned in file order.
 */
export function parseTable(table: Table, mapping: CsvMapping, options: ParseOptions): ParseResult {
  const rejections: Rejection[] = [];
  const width = table.header.length;
  const delimiter = mapping.dialect.delimiter ?? ';';
  const { time } = mapping;
  const dateHeader = table.header[time.dateColumn] ?? `column ${time.dateColumn + 1}`;
  const timeHeader = time.timeColumn === null ? dateHeader : (table.header[time.timeColumn] ?? `column ${time.timeColumn + 1}`);
  const codes = new Map(Object.entries(mapping.qualityCodes).map(([k, v]) => [k.trim().toLowerCase(), v]));
  const pending: Pending[] = [];

  for (const row of table.rows) {
    const raw = row.cells.join(delimiter).slice(0, RAW_MAX);
    const reject = (reason: string, field?: string): void => {
      rejections.push({ line: row.line, ...(field === undefined ? {} : { field }), reason, raw });
    };
    const cells = row.cells.length === width + 1 && row.cells[width] === '' ? row.cells.slice(0, width) : row.cells;
    if (cells.length !== width) {
      reject(`wrong number of columns: ${cells.length}, expected ${width}`);
      continue;
    }
    const dateCell = cells[time.dateColumn] ?? '';
    const p: Pending = { line: row.line, raw, values: [] };
    if (time.format === 'ISO_OFFSET') {
      const ts = parseIsoWithOffset(dateCell);
      if (ts === undefined) {
        reject(`"${dateCell}" in column "${dateHeader}" is not a time (expected ${FORMAT_HINT[time.format]})`, dateHeader);
        continue;
      }
      p.tsMs = ts;
    } else {
      const date = parseDateCell(dateCell, time.format);
      if (!date || (time.timeColumn !== null && date.time !== undefined)) {
        reject(`"${dateCell}" in column "${dateHeader}" is not a date (expected ${FORMAT_HINT[time.format]})`, dateHeader);
        continue;
      }
      let wall = date.time;
      if (time.timeColumn !== null) {
        const timeCell = cells[time.timeColumn] ?? '';
        wall = parseTimeCell(timeCell);
        if (!wall) {
          reject(`"${timeCell}" in column "${timeHeader}" is not a time (expected HH:mm or HH:mm:ss)`, timeHeader);
          continue;
        }
      }
      p.local = toLocalDateTime(date, wall);
    }

    for (const v of mapping.values) {
      const cell = cells[v.column] ?? '';
      const number = parseNumber(cell, mapping.dialect);
      if (number === undefined) {
        reject(cell === '' ? `empty value in column "${v.header}"` : `"${cell}" in column "${v.header}" is not a number`, v.header);
        continue;
      }
      const flag = v.qualityColumn === null ? '' : (cells[v.qualityColumn] ?? '').trim().toLowerCase();
      const quality: Quality = flag === '' ? 'measured' : (codes.get(flag) ?? 'estimated');
      p.values.push({ column: v.column, value: Number((number * v.factor).toPrecision(12)), quality });
    }
    if (p.values.length > 0) pending.push(p);
  }

  // local wall-clock times in file order, so the repeated autumn hour is told apart by order
  const locals = pending.filter((p) => p.local !== undefined);
  const resolved = resolveLocalSequence(
    locals.map((p) => p.local as LocalDateTime),
    options.timeZone,
    options.dstPolicy,
  );
  locals.forEach((p, i) => {
    const r = resolved[i];
    if (r?.ok) p.tsMs = r.tsMs;
    else rejections.push({ line: p.line, field: timeHeader, reason: r ? r.reason : 'time could not be resolved', raw: p.raw });
  });

  const intervalMs = time.intervalMinutes === null ? undefined : time.intervalMinutes * 60_000;
  const interval = mapping.values.some((v) => v.semantics === 'interval');
  const seen = new Map<number, number>();
  const rows: ParsedRow[] = [];
  for (const p of pending) {
    if (p.tsMs === undefined) continue;
    let tsMs = p.tsMs;
    if (time.role === 'end' && interval) {
      if (intervalMs === undefined) {
        rejections.push({
          line: p.line,
          field: timeHeader,
          reason: 'the interval length is unknown, so the interval start cannot be derived from its end',
          raw: p.raw,
        });
        continue;
      }
      tsMs -= intervalMs;
    }
    const first = seen.get(tsMs);
    if (first !== undefined) {
      rejections.push({
        line: p.line,
        field: timeHeader,
        reason: `duplicate timestamp ${new Date(tsMs).toISOString()} (first at line ${first})`,
        raw: p.raw,
      });
      continue;
    }
    seen.set(tsMs, p.line);
    rows.push({ line: p.line, tsMs, ...(interval && intervalMs !== undefined ? { intervalMs } : {}), values: p.values });
  }
  rejections.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { rows, rejections };
}
