/**
 * Which column means what, guessed from the header and the first rows. The result is plain JSON:
 * the API shows it as a preview, the user may correct it and send it back to parseTable.
 */
import type { Quality, Quantity, Semantics } from '../model.js';
import { parseUnit } from '../normalise.js';
import { detectDateFormat, parseDateCell, parseTimeCell, toLocalDateTime, wallMs, type DateFormat } from './datetime.js';
import { parseNumber, type Dialect } from './dialect.js';
import type { Table } from './table.js';

export type Layout = 'lastgang' | 'register' | 'wide';
/** what the timestamp of a row marks: the interval start, its end, or an instant (register reading, power sample) */
export type TimeRole = 'start' | 'end' | 'instant';

export interface TimeMapping {
  format: DateFormat;
  /** 0-based column with the date (or date and time, or ISO 8601 with offset) */
  dateColumn: number;
  /** 0-based column with the time when it is separate ('Uhrzeit', 'von'), else null (midnight for date-only cells) */
  timeColumn: number | null;
  role: TimeRole;
  /** spacing of the rows in minutes (15 for a Lastgang, 1440 for daily readings); null when unknown */
  intervalMinutes: number | null;
}

export interface ValueMapping {
  /** 0-based column */
  column: number;
  header: string;
  /** unit as written ('kWh'), null when none was found */
  unit: string | null;
  /** canonical unit (W, Wh, …) and the factor to reach it; null/1 without a unit */
  canonicalUnit: string | null;
  factor: number;
  quantity: Quantity | null;
  semantics: Semantics;
  /** 0-based column with the status/quality flag for this value, null when none */
  qualityColumn: number | null;
}

export interface CsvMapping {
  version: 1;
  layout: Layout;
  dialect: Dialect;
  time: TimeMapping;
  values: ValueMapping[];
  /** status text (lower case, trimmed) → quality; empty status is 'measured', unknown status is 'estimated' */
  qualityCodes: Record<string, Quality>;
  warnings: string[];
}

/**
 * Status flags in German exports and what they become. Letters as in EDM/MSCONS-derived exports:
 * W = wahrer Wert (true value) and G = gemessen → measured; V = vorläufiger Wert (provisional) and
 * P/geschätzt → estimated; E = Ersatzwert (substitute value, e.g. filled by the grid operator) →
 * substituted; F = fehlerhaft/fehlender Wert and U/ungültig → invalid. MSCONS qualifiers 220
 * (wahrer Wert) → measured, 201 (Vorschlagswert) → estimated, 67 (Ersatzwert) → substituted,
 * 20 (nicht verwendbar) → invalid.
 */
export const DEFAULT_QUALITY_CODES: Readonly<Record<string, Quality>> = {
  w: 'measured',
  g: 'measured',
  gemessen: 'measured',
  'wahrer wert': 'measured',
  ok: 'measured',
  measured: 'measured',
  valid: 'measured',
  '220': 'measured',
  v: 'estimated',
  p: 'estimated',
  vorläufig: 'estimated',
  'vorläufiger wert': 'estimated',
  geschätzt: 'estimated',
  estimated: 'estimated',
  '201': 'estimated',
  e: 'substituted',
  ersatzwert: 'substituted',
  substituted: 'substituted',
  '67': 'substituted',
  f: 'invalid',
  u: 'invalid',
  fehlerhaft: 'invalid',
  fehlt: 'invalid',
  ungültig: 'invalid',
  invalid: 'invalid',
  '20': 'invalid',
};

const SAMPLE_ROWS = 50;
const END_WORDS = /(^|[^\p{L}])(bis|ende|end|to|until)([^\p{L}]|$)/iu;
const START_WORDS = /(^|[^\p{L}])(von|ab|beginn|start|from)([^\p{L}]|$)/iu;
const QUALITY_WORDS = /status|qualit|quality|flag|kennzeichen|kennz/i;
const REGISTER_WORDS = /zählerstand|zaehlerstand|register|(^|[^\p{L}])stand([^\p{L}]|$)|meter reading|reading/iu;

type Kind = 'iso' | 'datetime' | 'date' | 'time' | 'number' | 'text' | 'empty';

export function detectMapping(table: Table): CsvMapping {
  const dialect = table.dialect;
  const warnings: string[] = [];
  const width = table.header.length;
  const sample = table.rows
    .filter((r) => r.cells.length === width || (r.cells.length === width + 1 && r.cells[width] === ''))
    .slice(0, SAMPLE_ROWS);
  const kinds = table.header.map((_, c) =>
    columnKind(
      sample.map((r) => r.cells[c] ?? ''),
      dialect,
    ),
  );

  const time = detectTime(table, kinds, sample, warnings);
  const timeColumns = new Set([time.dateColumn, ...(time.timeColumn === null ? [] : [time.timeColumn])]);
  kinds.forEach((k, c) => {
    if (k === 'time' || k === 'date' || k === 'datetime' || k === 'iso') timeColumns.add(c);
  });

  const qualityColumns = table.header
    .map((h, c) => ({ h, c }))
    .filter(({ h, c }) => !timeColumns.has(c) && QUALITY_WORDS.test(h))
    .map(({ c }) => c);
  const valueColumns = table.header
    .map((_, c) => c)
    .filter((c) => !timeColumns.has(c) && !qualityColumns.includes(c) && kinds[c] === 'number');
  if (valueColumns.length === 0) warnings.push('no column with numbers was found; set values[] by hand');

  const preambleUnit = unitFromPreamble(table.preamble);
  const isRegister = valueColumns.some((c) => REGISTER_WORDS.test(table.header[c] ?? ''));
  const layout: Layout = isRegister ? 'register' : valueColumns.length > 1 ? 'wide' : 'lastgang';

  const values = valueColumns.map((column): ValueMapping => {
    const header = table.header[column] ?? '';
    const unitText = unitFromHeader(header) ?? preambleUnit;
    const info = unitText === undefined ? undefined : parseUnit(unitText);
    if (!info) {
      warnings.push(
        unitText === undefined
          ? `column "${header}": no unit in the header or preamble; values are taken as they are — set the unit`
          : `column "${header}": unit "${unitText}" is not known; values are taken as they are — set the unit`,
      );
    }
    const register = REGISTER_WORDS.test(header);
    const energy = info?.canonical === 'Wh';
    const semantics: Semantics = register ? 'cumulative' : energy ? 'interval' : 'instantaneous';
    return {
      column,
      header,
      unit: info?.unit ?? null,
      canonicalUnit: info?.canonical ?? null,
      factor: info?.factor ?? 1,
      quantity: info ? guessQuantity(header, info.quantities) : null,
      semantics,
      qualityColumn: qualityFor(column, qualityColumns, valueColumns),
    };
  });

  if (time.timeColumn === null && time.format !== 'ISO_OFFSET' && kinds[time.dateColumn] === 'date' && layout !== 'register') {
    warnings.push(`column "${table.header[time.dateColumn]}" holds dates without times`);
  }
  const hasInterval = values.some((v) => v.semantics === 'interval');
  if (!hasInterval && time.role === 'start' && !time.explicit) time.role = 'instant';
  if (hasInterval && !time.explicit) {
    warnings.push(
      `column "${table.header[time.timeColumn ?? time.dateColumn]}" does not say whether it marks the interval start or end ` +
        `('von'/'bis', 'Beginn'/'Ende'): taken as interval START — set time.role to "end" if the file stamps interval ends`,
    );
  }

  const qualityCodes: Record<string, Quality> = { ...DEFAULT_QUALITY_CODES };
  const unknown = new Set<string>();
  for (const q of qualityColumns) {
    for (const r of sample) {
      const code = (r.cells[q] ?? '').trim().toLowerCase();
      if (code !== '' && !(code in qualityCodes)) unknown.add(code);
    }
  }
  if (unknown.size > 0) {
    warnings.push(`unknown status values ${[...unknown].map((u) => `"${u}"`).join(', ')} are taken as "estimated" — set qualityCodes`);
  }

  const { explicit: _explicit, ...timeMapping } = time;
  return { version: 1, layout, dialect, time: timeMapping, values, qualityCodes, warnings };
}

function columnKind(cells: readonly string[], dialect: Dialect): Kind {
  const filled = cells.map((c) => c.trim()).filter((c) => c !== '');
  if (filled.length === 0) return 'empty';
  const share = (test: (c: string) => boolean): number => filled.filter(test).length / filled.length;
  if (share((c) => detectDateFormat(c) === 'ISO_OFFSET') >= 0.8) return 'iso';
  const fmt = filled.map((c) => detectDateFormat(c)).find((f) => f !== undefined && f !== 'ISO_OFFSET');
  if (fmt) {
    if (share((c) => parseDateCell(c, fmt)?.time !== undefined) >= 0.8) return 'datetime';
    if (share((c) => parseDateCell(c, fmt) !== undefined) >= 0.8) return 'date';
  }
  if (share((c) => parseTimeCell(c) !== undefined) >= 0.8) return 'time';
  if (share((c) => parseNumber(c, dialect) !== undefined) >= 0.5) return 'number';
  return 'text';
}

function detectTime(table: Table, kinds: readonly Kind[], sample: Table['rows'], warnings: string[]): TimeMapping & { explicit: boolean } {
  const header = table.header;
  const roleOf = (c: number): TimeRole | undefined =>
    END_WORDS.test(header[c] ?? '') ? 'end' : START_WORDS.test(header[c] ?? '') ? 'start' : undefined;
  type Ref = { dateColumn: number; timeColumn: number | null; role: TimeRole | undefined; format: DateFormat };
  const refs: Ref[] = [];
  const dateCol = kinds.findIndex((k) => k === 'date');
  kinds.forEach((k, c) => {
    if (k === 'iso') refs.push({ dateColumn: c, timeColumn: null, role: roleOf(c), format: 'ISO_OFFSET' });
    if (k === 'datetime') refs.push({ dateColumn: c, timeColumn: null, role: roleOf(c), format: formatOf(sample, c) });
    if (k === 'time' && dateCol >= 0) refs.push({ dateColumn: dateCol, timeColumn: c, role: roleOf(c), format: formatOf(sample, dateCol) });
  });
  if (refs.length === 0 && dateCol >= 0)
    refs.push({ dateColumn: dateCol, timeColumn: null, role: roleOf(dateCol), format: formatOf(sample, dateCol) });
  const chosen = refs.find((r) => r.role === 'start') ?? refs.find((r) => r.role === 'end') ?? refs[0];
  if (!chosen) {
    warnings.push('no date or time column was found; set time.dateColumn by hand');
    return {
      format: table.dialect.dateFormat ?? 'DD.MM.YYYY',
      dateColumn: 0,
      timeColumn: null,
      role: 'instant',
      intervalMinutes: null,
      explicit: false,
    };
  }
  return {
    format: chosen.format,
    dateColumn: chosen.dateColumn,
    timeColumn: chosen.timeColumn,
    role: chosen.role ?? 'start',
    intervalMinutes: detectInterval(sample, chosen),
    explicit: chosen.role !== undefined,
  };
}

function formatOf(sample: Table['rows'], column: number): DateFormat {
  for (const r of sample) {
    const f = detectDateFormat(r.cells[column] ?? '');
    if (f) return f;
  }
  return 'DD.MM.YYYY';
}

/** most frequent positive step between consecutive rows, in wall-clock minutes */
function detectInterval(sample: Table['rows'], ref: { dateColumn: number; timeColumn: number | null; format: DateFormat }): number | null {
  const ms: number[] = [];
  for (const r of sample) {
    const cell = (r.cells[ref.dateColumn] ?? '').trim();
    if (ref.format === 'ISO_OFFSET') {
      const t = Date.parse(cell);
      if (Number.isFinite(t)) ms.push(t);
      continue;
    }
    const date = parseDateCell(cell, ref.format);
    if (!date) continue;
    const time = ref.timeColumn === null ? date.time : parseTimeCell(r.cells[ref.timeColumn] ?? '');
    ms.push(wallMs(toLocalDateTime(date, time)));
  }
  const counts = new Map<number, number>();
  for (let i = 1; i < ms.length; i++) {
    const step = (ms[i] as number) - (ms[i - 1] as number);
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best: [number, number] | undefined;
  for (const e of counts) if (!best || e[1] > best[1] || (e[1] === best[1] && e[0] < best[0])) best = e;
  return best ? best[0] / 60_000 : null;
}

/** the unit in '[kWh]', '(kWh)', '{kWh}' or after 'in' ('Verbrauch in kWh'); the first bracket parseUnit knows wins */
function unitFromHeader(header: string): string | undefined {
  const groups = [...header.matchAll(/[[({]([^\])}]+)[\])}]/g)].map((m) => (m[1] ?? '').trim());
  const known = groups.find((g) => parseUnit(g) !== undefined);
  if (known !== undefined) return known;
  const after = /\s(?:in|\/)\s*([^\s]+)\s*$/i.exec(header)?.[1];
  if (after !== undefined && parseUnit(after)) return after;
  const last = /([^\s_]+)\s*$/.exec(header)?.[1];
  if (last !== undefined && last !== header.trim() && parseUnit(last)) return last;
  return groups[0];
}

/** 'Einheit: kWh', 'Einheit;kWh', 'Unit: kW' */
function unitFromPreamble(preamble: readonly string[]): string | undefined {
  for (const line of preamble) {
    const m = /^\s*"?(?:einheit|maßeinheit|unit)"?\s*[:;,\t=]\s*"?([^";,\t]+)"?/i.exec(line);
    if (m?.[1]) return m[1].trim();
  }
  return undefined;
}

function guessQuantity(header: string, quantities: readonly Quantity[]): Quantity | null {
  const h = header.toLowerCase();
  if (quantities.includes('energy_export') && /einspeis|lieferung|export|erzeugung|feed/.test(h)) return 'energy_export';
  if (quantities.includes('energy_import') && /bezug|verbrauch|import|wirkarbeit|zählerstand|consumption/.test(h)) return 'energy_import';
  return quantities[0] ?? null;
}

function qualityFor(column: number, qualityColumns: readonly number[], valueColumns: readonly number[]): number | null {
  if (qualityColumns.length === 0) return null;
  if (qualityColumns.length === 1) return qualityColumns[0] ?? null;
  // several flags: the nearest flag to the right before the next value column
  const next = valueColumns.find((c) => c > column) ?? Infinity;
  return qualityColumns.find((q) => q > column && q < next) ?? null;
}
