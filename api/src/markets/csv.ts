/**
 * Price CSV files.
 *
 * - Luna's own export `timestamp_utc,timestamp_local,price_eur_mwh` (header required): the UTC
 *   column is the instant; the local column must name the same instant (checked per line).
 * - Generic `timestamp;price` files: timestamp with offset (`Z`, `+01:00`), delimiter `;` or
 *   `,`, decimal point or (with `;` only) decimal comma; an optional header line.
 *
 * Each timestamp starts an interval of `resolutionMs` (given, or the most common distance between
 * consecutive timestamps). A bad line is reported with its line number and reason and skipped;
 * the good lines are kept. A timestamp without offset is rejected: on DST days it is ambiguous.
 */
import { findGaps, HOUR_MS, parseIsoInstantMs, type Gap, type Rate } from './timeaxis.js';

export interface CsvLineError {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
  text: string;
}

export interface CsvPrices {
  format: 'luna-utc-local' | 'timestamp-price';
  /** Price per interval, EUR/MWh (the file's unit is not checked for generic files). */
  rates: Rate[];
  resolutionMs: number;
  /** Stretches between the first and last rate that no line covers. */
  gaps: Gap[];
  errors: CsvLineError[];
}

export interface CsvOptions {
  /** Length of each interval; default: the most common step between timestamps (1 h if unknown). */
  resolutionMs?: number;
}

const LUNA_HEADER = 'timestamp_utc,timestamp_local,price_eur_mwh';
const NUMBER_POINT = /^[+-]?\d+(\.\d+)?$/;
const NUMBER_COMMA = /^[+-]?\d+(,\d+)?$/;

function unquote(field: string): string {
  const t = field.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/** Split on the delimiter outside double quotes. */
function splitLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === delimiter && !quoted) {
      out.push(unquote(cur));
      cur = '';
    } else cur += ch;
  }
  out.push(unquote(cur));
  return out;
}

function parsePrice(text: string, decimalComma: boolean): number | undefined {
  if (NUMBER_POINT.test(text)) return Number(text);
  if (decimalComma && NUMBER_COMMA.test(text)) return Number(text.replace(',', '.'));
  return undefined;
}

export function parsePriceCsv(text: string, opts: CsvOptions = {}): CsvPrices {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const errors: CsvLineError[] = [];
  const points: { startMs: number; value: number; line: number }[] = [];
  const firstIdx = lines.findIndex((l) => l.trim() !== '');
  const header = (lines[firstIdx] ?? '').trim();
  const luna = header.replace(/\s/g, '') === LUNA_HEADER;
  const delimiter = luna ? ',' : lines.slice(firstIdx).find((l) => l.includes(';')) !== undefined ? ';' : ',';
  const decimalComma = delimiter === ';';
  const seen = new Map<number, number>();

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    if (i === firstIdx && luna) return;
    const fields = splitLine(l, delimiter);
    const bad = (reason: string) => errors.push({ line: lineNo, reason, text: raw });
    let startMs: number | undefined;
    let priceText: string;
    if (luna) {
      if (fields.length !== 3) return bad(`expected 3 fields, found ${fields.length}`);
      startMs = parseIsoInstantMs(fields[0]!);
      if (startMs === undefined || !/Z$/.test(fields[0]!)) return bad(`timestamp_utc "${fields[0]}" is not a UTC instant`);
      const localMs = parseIsoInstantMs(fields[1]!);
      if (localMs === undefined) return bad(`timestamp_local "${fields[1]}" has no valid offset`);
      if (localMs !== startMs) return bad(`timestamp_local ${fields[1]} is not the same instant as ${fields[0]}`);
      priceText = fields[2]!;
    } else {
      if (fields.length !== 2) return bad(`expected 2 fields (timestamp${delimiter}price), found ${fields.length}`);
      startMs = parseIsoInstantMs(fields[0]!);
      if (startMs === undefined) {
        if (i === firstIdx && parsePrice(fields[1]!, decimalComma) === undefined) return; // header line
        return bad(`timestamp "${fields[0]}" is not an ISO 8601 instant with offset`);
      }
      priceText = fields[1]!;
    }
    const value = parsePrice(priceText, decimalComma);
    if (value === undefined) return bad(`price "${priceText}" is not a number`);
    const dup = seen.get(startMs);
    if (dup !== undefined) return bad(`duplicate timestamp, first seen on line ${dup}`);
    seen.set(startMs, lineNo);
    points.push({ startMs, value, line: lineNo });
  });

  points.sort((a, b) => a.startMs - b.startMs);
  const resolutionMs = opts.resolutionMs ?? mostCommonStep(points.map((p) => p.startMs)) ?? HOUR_MS;
  const rates = points.map((p) => ({ startMs: p.startMs, endMs: p.startMs + resolutionMs, value: p.value }));
  for (let k = 1; k < rates.length; k++) {
    if (rates[k]!.startMs < rates[k - 1]!.endMs) {
      errors.push({
        line: points[k]!.line,
        reason: `starts inside the interval of line ${points[k - 1]!.line}`,
        text: lines[points[k]!.line - 1]!,
      });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { format: luna ? 'luna-utc-local' : 'timestamp-price', rates, resolutionMs, gaps: findGaps(rates), errors };
}

function mostCommonStep(sortedStartsMs: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (let i = 1; i < sortedStartsMs.length; i++) {
    const d = sortedStartsMs[i]! - sortedStartsMs[i - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best: number | undefined;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best!)) [best, bestCount] = [d, c];
  return best;
}
