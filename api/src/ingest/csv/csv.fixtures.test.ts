/**
 * End to end over the committed fixtures (cut from the VDI 4657-3 metal-processing profile, see
 * fixtures/README.md): bytes → table → mapping → rows + rejections, with exact expectations.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { DstPolicy } from '../normalise.js';
import { detectMapping, parseTable, readTabular, type ParseResult, type CsvMapping } from './index.js';

const POLICY: DstPolicy = { ambiguous: 'reject', nonexistent: 'reject' };
const OPTIONS = { timeZone: 'Europe/Berlin', dstPolicy: POLICY };
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const iso = (ms: number): string => new Date(ms).toISOString();

async function load(
  name: string,
): Promise<{ mapping: CsvMapping; result: ParseResult; encoding: string; preamble: string[]; header: string[] }> {
  const { table, encoding } = await readTabular(fixture(name), name);
  const mapping = detectMapping(table);
  return { mapping, result: parseTable(table, mapping, OPTIONS), encoding, preamble: table.preamble, header: table.header };
}
/** line → [UTC ISO, first value, quality] for compact exact assertions */
function byLine(result: ParseResult): Map<number, [string, number, string]> {
  return new Map(result.rows.map((r) => [r.line, [iso(r.tsMs), r.values[0]?.value ?? NaN, r.values[0]?.quality ?? '']]));
}
const noRaw = (result: ParseResult): unknown[] => result.rejections.map(({ raw: _raw, ...r }) => r);

describe('(a) Lastgang, autumn change day 2025-10-26, UTF-8 BOM, preamble, von/bis', () => {
  it('reads 100 quarter hours with the repeated hour resolved by order', async () => {
    const { mapping, result, encoding, preamble } = await load('a_lastgang_autumn_2025-10-26_utf8bom.csv');
    expect(encoding).toBe('utf-8');
    expect(preamble).toEqual([
      'Zählpunkt: DE0001234567890000000000000012345',
      'Messlokation: DE9876543210',
      'Zeitraum: 26.10.2025 - 26.10.2025',
      'Einheit: kWh',
    ]);
    expect(mapping).toMatchObject({
      layout: 'lastgang',
      dialect: { delimiter: ';', decimal: ',', thousands: '.', headerLine: 6, dateFormat: 'DD.MM.YYYY' },
      time: { format: 'DD.MM.YYYY', dateColumn: 0, timeColumn: 1, role: 'start', intervalMinutes: 15 },
      values: [
        {
          column: 3,
          header: 'Wirkarbeit Bezug',
          unit: 'kWh',
          canonicalUnit: 'Wh',
          factor: 1000,
          quantity: 'energy_import',
          semantics: 'interval',
          qualityColumn: 4,
        },
      ],
      warnings: [],
    });
    expect(result.rejections).toEqual([]);
    expect(result.rows).toHaveLength(100);
    const rows = byLine(result);
    expect(rows.get(7)).toEqual(['2025-10-25T22:00:00.000Z', 4212, 'measured']);
    expect(rows.get(16)).toEqual(['2025-10-26T00:15:00.000Z', 4580, 'substituted']); // 02:15 CEST, status E
    expect(rows.get(18)).toEqual(['2025-10-26T00:45:00.000Z', 4051, 'measured']); // 02:45 CEST
    expect(rows.get(19)).toEqual(['2025-10-26T01:00:00.000Z', 4476, 'measured']); // 02:00 CET, second pass
    expect(rows.get(22)?.[0]).toBe('2025-10-26T01:45:00.000Z'); // 02:45 CET
    expect(rows.get(23)?.[0]).toBe('2025-10-26T02:00:00.000Z'); // 03:00 CET
    expect(rows.get(57)?.[2]).toBe('estimated'); // status V
    expect(rows.get(106)).toEqual(['2025-10-26T22:45:00.000Z', 4804, 'measured']); // 23:45–24:00
    const steps = result.rows.slice(1).map((r, i) => r.tsMs - (result.rows[i]?.tsMs ?? 0));
    expect(new Set(steps)).toEqual(new Set([900_000]));
    expect(result.rows.every((r) => r.intervalMs === 900_000)).toBe(true);
  });
});

describe('(b) Lastgang, spring change day 2025-03-30, DD.MM.YY, Verbrauch (kWh), thousands', () => {
  it('reads 92 quarter hours, 01:45 CET is followed by 03:00 CEST', async () => {
    const { mapping, result } = await load('b_lastgang_spring_2025-03-30.csv');
    expect(mapping.dialect).toEqual({ delimiter: ';', quote: '"', decimal: ',', thousands: '.', headerLine: 4, dateFormat: 'DD.MM.YY' });
    expect(mapping.time).toEqual({ format: 'DD.MM.YY', dateColumn: 0, timeColumn: 1, role: 'start', intervalMinutes: 15 });
    expect(mapping.warnings).toEqual([
      `column "Uhrzeit" does not say whether it marks the interval start or end ('von'/'bis', 'Beginn'/'Ende'): taken as interval START — set time.role to "end" if the file stamps interval ends`,
    ]);
    expect(result.rejections).toEqual([]);
    expect(result.rows).toHaveLength(92);
    const rows = byLine(result);
    expect(rows.get(5)).toEqual(['2025-03-29T23:00:00.000Z', 1351170, 'measured']);
    expect(rows.get(12)).toEqual(['2025-03-30T00:45:00.000Z', 1213050, 'measured']); // 01:45 CET
    expect(rows.get(13)).toEqual(['2025-03-30T01:00:00.000Z', 1365170, 'measured']); // 03:00 CEST
    expect(rows.get(96)).toEqual(['2025-03-30T21:45:00.000Z', 1265100, 'measured']);
  });

  it('a 02:30 on the spring day is rejected, the other rows are kept', async () => {
    const text = 'Datum;Uhrzeit;Verbrauch (kWh)\n30.03.2025;01:45;1,5\n30.03.2025;02:30;2,5\n30.03.2025;03:00;3,5\n';
    const { table } = await readTabular(new TextEncoder().encode(text));
    const result = parseTable(table, detectMapping(table), OPTIONS);
    expect(result.rows.map((r) => [r.line, iso(r.tsMs), r.values[0]?.value])).toEqual([
      [2, '2025-03-30T00:45:00.000Z', 1500],
      [4, '2025-03-30T01:00:00.000Z', 3500],
    ]);
    expect(noRaw(result)).toEqual([
      { line: 3, field: 'Uhrzeit', reason: '02:30 on 2025-03-30 does not exist in Europe/Berlin (clocks jump from 02:00 to 03:00)' },
    ]);
  });
});

describe('(c) the autumn Lastgang in Windows-1252 with umlauts and worded quality', () => {
  it('decodes the headers and maps gemessen/Ersatzwert/vorläufig', async () => {
    const { mapping, result, encoding, preamble, header } = await load('c_lastgang_autumn_windows1252.csv');
    expect(encoding).toBe('windows-1252');
    expect(preamble).toEqual(['Zählpunkt;DE0001234567890000000000000012345', 'Messlokation;DE9876543210']);
    expect(header).toEqual(['Datum', 'Uhrzeit', 'Wirkarbeit Bezug [kWh]', 'Qualität']);
    expect(mapping.values).toEqual([
      {
        column: 2,
        header: 'Wirkarbeit Bezug [kWh]',
        unit: 'kWh',
        canonicalUnit: 'Wh',
        factor: 1000,
        quantity: 'energy_import',
        semantics: 'interval',
        qualityColumn: 3,
      },
    ]);
    expect(result.rows).toHaveLength(100);
    expect(result.rejections).toEqual([]);
    const rows = byLine(result);
    expect(rows.get(4)).toEqual(['2025-10-25T22:00:00.000Z', 4212, 'measured']);
    expect(rows.get(15)).toEqual(['2025-10-26T00:45:00.000Z', 4051, 'measured']);
    expect(rows.get(16)).toEqual(['2025-10-26T01:00:00.000Z', 4476, 'measured']);
    expect(rows.get(24)?.[2]).toBe('substituted');
    expect(rows.get(25)?.[2]).toBe('estimated');
    expect(rows.get(103)).toEqual(['2025-10-26T22:45:00.000Z', 4804, 'measured']);
  });
});

describe('nasty files', () => {
  it('(d) duplicates: the first is kept, later ones rejected; out-of-order rows kept', async () => {
    const { mapping, result } = await load('d_duplicates_out_of_order.csv');
    expect(mapping.time).toEqual({ format: 'DD.MM.YYYY', dateColumn: 0, timeColumn: null, role: 'start', intervalMinutes: 15 });
    expect(result.rows.map((r) => [r.line, iso(r.tsMs), r.values[0]?.value])).toEqual([
      [2, '2025-01-15T09:00:00.000Z', 122540],
      [3, '2025-01-15T09:15:00.000Z', 127370],
      [4, '2025-01-15T09:30:00.000Z', 131990],
      [6, '2025-01-15T10:00:00.000Z', 132470],
      [7, '2025-01-15T09:45:00.000Z', 128780],
      [8, '2025-01-15T10:15:00.000Z', 133460],
    ]);
    expect(noRaw(result)).toEqual([
      { line: 5, field: 'Beginn', reason: 'duplicate timestamp 2025-01-15T09:15:00.000Z (first at line 3)' },
      { line: 9, field: 'Beginn', reason: 'duplicate timestamp 2025-01-15T09:30:00.000Z (first at line 4)' },
    ]);
  });

  it('(e) text, a dash, an empty cell and a decimal point in a number column', async () => {
    const { result } = await load('e_text_in_number.csv');
    expect(result.rows.map((r) => [r.line, r.values[0]?.value])).toEqual([
      [2, 122540],
      [4, 1131990],
      [8, 133460],
    ]);
    expect(noRaw(result)).toEqual([
      { line: 3, field: 'Wirkleistung [kW]', reason: '"abc" in column "Wirkleistung [kW]" is not a number' },
      { line: 5, field: 'Wirkleistung [kW]', reason: '"-" in column "Wirkleistung [kW]" is not a number' },
      { line: 6, field: 'Wirkleistung [kW]', reason: 'empty value in column "Wirkleistung [kW]"' },
      { line: 7, field: 'Wirkleistung [kW]', reason: '"12.5" in column "Wirkleistung [kW]" is not a number' },
    ]);
    expect(result.rejections[0]?.raw).toBe('15.01.2025;10:15;abc');
  });

  it('(f) empty lines and lines of only delimiters are skipped silently', async () => {
    const { result } = await load('f_empty_lines.csv');
    expect(result.rows.map((r) => [r.line, iso(r.tsMs)])).toEqual([
      [3, '2025-01-15T09:00:00.000Z'],
      [4, '2025-01-15T09:15:00.000Z'],
      [7, '2025-01-15T09:30:00.000Z'],
      [9, '2025-01-15T09:45:00.000Z'],
    ]);
    expect(result.rejections).toEqual([]);
  });

  it('(g) wrong column counts are rejected; a trailing delimiter and quoted cells are fine', async () => {
    const { result } = await load('g_wrong_columns.csv');
    expect(result.rows.map((r) => [r.line, r.values[0]?.value, r.values[0]?.quality])).toEqual([
      [2, 122540, 'measured'],
      [5, 128780, 'measured'],
      [6, 132470, 'measured'],
      [7, 133460, 'substituted'],
    ]);
    expect(noRaw(result)).toEqual([
      { line: 3, reason: 'wrong number of columns: 3, expected 4' },
      { line: 4, reason: 'wrong number of columns: 5, expected 4' },
    ]);
  });

  it('(h) meter register, daily readings across the autumn change (Windows-1252, OBIS in the header)', async () => {
    const { mapping, result } = await load('h_register_daily.csv');
    expect(mapping.layout).toBe('register');
    expect(mapping.time).toEqual({ format: 'DD.MM.YYYY', dateColumn: 0, timeColumn: null, role: 'instant', intervalMinutes: 1440 });
    expect(mapping.values).toEqual([
      {
        column: 1,
        header: 'Zählerstand Bezug (1.8.0) [kWh]',
        unit: 'kWh',
        canonicalUnit: 'Wh',
        factor: 1000,
        quantity: 'energy_import',
        semantics: 'cumulative',
        qualityColumn: 2,
      },
    ]);
    expect(result.rejections).toEqual([]);
    expect(result.rows.map((r) => [r.line, iso(r.tsMs), r.values[0]?.value, r.values[0]?.quality])).toEqual([
      [5, '2025-10-23T22:00:00.000Z', 12345600, 'measured'],
      [6, '2025-10-24T22:00:00.000Z', 13825800, 'measured'],
      [7, '2025-10-25T22:00:00.000Z', 15318200, 'measured'],
      [8, '2025-10-26T23:00:00.000Z', 16537900, 'substituted'],
      [9, '2025-10-27T23:00:00.000Z', 17174800, 'measured'],
      [10, '2025-10-28T23:00:00.000Z', 17734200, 'measured'],
      [11, '2025-10-29T23:00:00.000Z', 19125500, 'measured'],
    ]);
    expect(result.rows.every((r) => r.intervalMs === undefined)).toBe(true);
  });

  it('(i) wide file, tab-delimited, three meters with units in the headers', async () => {
    const { mapping, result } = await load('i_wide_three_meters.csv');
    expect(mapping.layout).toBe('wide');
    expect(mapping.dialect.delimiter).toBe('\t');
    expect(mapping.values.map((v) => [v.column, v.header, v.unit, v.factor, v.quantity, v.semantics])).toEqual([
      [1, 'Hauptzähler [kW]', 'kW', 1000, 'active_power', 'instantaneous'],
      [2, 'PV-Erzeugung [kW]', 'kW', 1000, 'active_power', 'instantaneous'],
      [3, 'Wärmepumpe [W]', 'W', 1, 'active_power', 'instantaneous'],
    ]);
    expect(result.rejections).toEqual([]);
    expect(result.rows.map((r) => [r.line, iso(r.tsMs), ...r.values.map((v) => v.value)])).toEqual([
      [2, '2025-01-15T09:00:00.000Z', 122540, 3120, 2350],
      [3, '2025-01-15T09:15:00.000Z', 127370, 3480, 2410],
      [4, '2025-01-15T09:30:00.000Z', 131990, 2950, 980],
      [5, '2025-01-15T09:45:00.000Z', 128780, 0, 0],
    ]);
  });

  it('(j) ISO 8601 with offsets, comma delimiter, decimal point, quoted commas and line breaks', async () => {
    const { mapping, result } = await load('j_iso_offset.csv');
    expect(mapping.dialect).toEqual({ delimiter: ',', quote: '"', decimal: '.', thousands: null, headerLine: 1, dateFormat: 'ISO_OFFSET' });
    expect(mapping.time).toEqual({ format: 'ISO_OFFSET', dateColumn: 0, timeColumn: null, role: 'start', intervalMinutes: 15 });
    expect(result.rejections).toEqual([]);
    expect(result.rows.map((r) => [r.line, iso(r.tsMs), r.values[0]?.value])).toEqual([
      [2, '2025-10-25T23:45:00.000Z', 4476],
      [3, '2025-10-26T00:00:00.000Z', 4116],
      [4, '2025-10-26T00:15:00.000Z', 4356],
      [5, '2025-10-26T00:30:00.000Z', 4580],
      [6, '2025-10-26T00:45:00.000Z', 4516],
      [7, '2025-10-26T01:00:00.000Z', 4051],
      [9, '2025-10-26T01:15:00.000Z', 4476],
      [10, '2025-10-26T01:30:00.000Z', 4348],
      [11, '2025-10-26T02:45:00.000Z', 4556],
    ]);
  });
});

describe('interval end stamps', () => {
  it("a file with only 'bis' is shifted back by the interval; 24:00 is next day's midnight", async () => {
    const text = 'Datum;bis;Energie [kWh]\n31.10.2025;23:30;1,25\n31.10.2025;23:45;2,5\n31.10.2025;24:00;12,5\n';
    const { table } = await readTabular(new TextEncoder().encode(text));
    const mapping = detectMapping(table);
    expect(mapping.time).toEqual({ format: 'DD.MM.YYYY', dateColumn: 0, timeColumn: 1, role: 'end', intervalMinutes: 15 });
    const result = parseTable(table, mapping, OPTIONS);
    expect(result.rows.map((r) => [iso(r.tsMs), r.intervalMs, r.values[0]?.value])).toEqual([
      ['2025-10-31T22:15:00.000Z', 900_000, 1250],
      ['2025-10-31T22:30:00.000Z', 900_000, 2500],
      ['2025-10-31T22:45:00.000Z', 900_000, 12500],
    ]);
  });
});

describe('(k) xlsx written by exceljs', () => {
  it('reads Excel dates as Berlin wall clock and resolves the repeated hour by order', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Lastgang');
    ws.addRow(['Zählpunkt', 'DE0001234567890000000000000012345']);
    ws.addRow([]);
    ws.addRow(['Zeitstempel', 'Wirkleistung [kW]', 'Status']);
    const wall = (h: number, m: number): Date => new Date(Date.UTC(2025, 9, 26, h, m));
    ws.addRow([wall(1, 45), 1.25, 'W']);
    ws.addRow([wall(2, 0), 122.54, 'W']);
    ws.addRow([wall(2, 30), 'n/a', 'F']);
    ws.addRow([wall(2, 0), 0.5, 'E']);
    ws.addRow([wall(2, 30), 1000, 'W']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());

    const { table, dialect, encoding } = await readTabular(bytes, 'lastgang.xlsx');
    expect(encoding).toBe('xlsx');
    expect(dialect).toEqual({ delimiter: null, quote: '"', decimal: '.', thousands: null, headerLine: 3, dateFormat: 'YYYY-MM-DD' });
    expect(table.preamble).toEqual(['Zählpunkt;DE0001234567890000000000000012345']);
    expect(table.rows[0]).toEqual({ line: 4, cells: ['2025-10-26 01:45:00', '1.25', 'W'] });
    const mapping = detectMapping(table);
    expect(mapping.time.role).toBe('instant');
    const result = parseTable(table, mapping, OPTIONS);
    expect(result.rows.map((r) => [r.line, iso(r.tsMs), r.values[0]?.value, r.values[0]?.quality])).toEqual([
      [4, '2025-10-25T23:45:00.000Z', 1250, 'measured'],
      [5, '2025-10-26T00:00:00.000Z', 122540, 'measured'],
      [7, '2025-10-26T01:00:00.000Z', 500, 'substituted'],
      [8, '2025-10-26T01:30:00.000Z', 1000000, 'measured'],
    ]);
    expect(noRaw(result)).toEqual([{ line: 6, field: 'Wirkleistung [kW]', reason: '"n/a" in column "Wirkleistung [kW]" is not a number' }]);
  });
});

it('the mapping survives a JSON round trip and parses the same', async () => {
  const { table } = await readTabular(fixture('a_lastgang_autumn_2025-10-26_utf8bom.csv'));
  const mapping = detectMapping(table);
  const edited = JSON.parse(JSON.stringify(mapping)) as CsvMapping;
  expect(edited).toEqual(mapping);
  expect(parseTable(table, edited, OPTIONS)).toEqual(parseTable(table, mapping, OPTIONS));
});
